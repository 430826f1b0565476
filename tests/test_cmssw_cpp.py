"""The small C++ reader behind the CMSSW wrapper recogniser: each construct on text of our own."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from firmware_models.errors import ModelFormatError
from firmware_models.nn import cmssw_cpp as cpp


def test_comments_are_removed_but_strings_and_lines_kept() -> None:
    text = 'a = 1; // gone\n/* gone\n too */ b = "// kept"; c = \'/\';\n'
    out = cpp.strip_comments(text)
    assert "gone" not in out and '"// kept"' in out and "'/'" in out
    assert out.count("\n") == text.count("\n")


@pytest.mark.parametrize(("token", "value"), [
    ("4", Fraction(4)), ("-2", Fraction(-2)), ("21.", Fraction(21)), ("-0.0", Fraction(0)),
    ("15.5", Fraction(31, 2)), ("0.5", Fraction(1, 2)), (".25", Fraction(1, 4)), ("1e-3", Fraction(0.001)),
    ("0x1f", Fraction(31)), ("3.f", Fraction(3)), ("7u", Fraction(7)), ("- 3", Fraction(-3)),
])
def test_numeric_literals_are_the_doubles_the_compiler_holds(token: str, value: Fraction) -> None:
    assert cpp.parse_number(token) == value


def test_a_non_number_is_refused_by_name() -> None:
    with pytest.raises(ModelFormatError, match="'abc' is not a numeric literal"):
        cpp.parse_number("abc")


def test_integer_expressions_over_macros_and_constants(tmp_path: Path) -> None:
    (tmp_path / "w.cpp").write_text("#define N_INPUT_1_1 16\nstatic const int N_INPUT_2_1 = 20;\n"
                                    "constexpr int N = (N_INPUT_1_1 + 4) / 2;\n")
    decl = cpp.read_headers(tmp_path / "w.cpp", root=tmp_path)
    assert decl.int_value("N_INPUT_1_1*N_INPUT_2_1") == 320
    assert decl.int_value("N * 3") == 30
    assert decl.int_value("10*13") == 130
    with pytest.raises(ModelFormatError, match="N_LAYER_9"):
        decl.int_value("N_LAYER_9")


def test_headers_are_read_through_their_includes(tmp_path: Path) -> None:
    (tmp_path / "NN").mkdir()
    (tmp_path / "NN" / "defines.h").write_text(
        "namespace ns {\n#define N_IN 3\nstatic const int N_OUT = 2;\ntypedef ap_fixed<18,13> unscaled_t;\n"
        "typedef unscaled_t alias_t;\nusing other_t = ap_ufixed<8,0,AP_RND,AP_SAT>;\n}\n")
    (tmp_path / "NN" / "top.h").write_text('#include "defines.h"\n#include "ap_fixed.h"\n')
    (tmp_path / "scales.h").write_text(
        '#include "NN/top.h"\n// static const int fake[2] = {9, 9};\n'
        "static const ad_t offs[N_IN] = {1., -0.5,\n 4.5};\nint norm[2] = {256, 1};\n")
    (tmp_path / "w.cpp").write_text('#include "scales.h"\n#include "emulator.h"\n')
    decl = cpp.read_headers(tmp_path / "w.cpp", root=tmp_path)
    assert [p.name for p in decl.files] == ["w.cpp", "scales.h", "top.h", "defines.h"]
    assert decl.int_value("N_IN*N_OUT") == 6
    assert decl.resolve_type("alias_t") == "ap_fixed<18,13>"
    assert decl.resolve_type("ns::other_t") == "ap_ufixed<8,0,AP_RND,AP_SAT>"
    assert decl.arrays["offs"].values == ("1.", "-0.5", "4.5") and decl.arrays["offs"].type == "ad_t"
    assert decl.arrays["norm"].values == ("256", "1")
    assert "fake" not in decl.arrays


def test_inactive_preprocessor_branches_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "w.cpp").write_text("#ifndef GUARD\n#define GUARD\n#if 0\ntypedef ap_fixed<9,6> input_t;\n#else\n"
                                    "typedef ap_fixed<8,6> input_t;\n#endif\n#endif\n")
    decl = cpp.read_headers(tmp_path / "w.cpp", root=tmp_path)
    assert decl.resolve_type("input_t") == "ap_fixed<8,6>"


def test_class_methods_and_flattened_loops() -> None:
    text = cpp.strip_comments("""
    class W : public hls4mlEmulator::Model {
      private:
        int x[4];
        virtual void f(int a[4]) {
          for (int i = 0; i < N; i++)
          {
            int t = a[i] >> s[i];   // shift
            b[i] = t;
          }
          for (int j = 0; j < 2; ++j) c[j] = d[j];
          return_value = g(x, y);
        }
    };""")
    name, body = cpp.find_class(text, "hls4mlEmulator::Model")
    assert name == "W"
    stmts = cpp.statements(cpp.method_body(body, "f"))
    assert [(s.text, s.loops) for s in stmts] == [
        ("int t = a[i] >> s[i]", (("i", "N"),)), ("b[i] = t", (("i", "N"),)),
        ("c[j] = d[j]", (("j", "2"),)), ("return_value = g(x, y)", ())]
    assert cpp.method_body(body, "missing") is None


def test_split_top_level_keeps_templates_and_shifts() -> None:
    assert cpp.split_top_level("std::array<T, 8>, L", ",") == ["std::array<T, 8>", " L"]
    assert cpp.split_top_level("a >> b, c", ",") == ["a >> b", " c"]
