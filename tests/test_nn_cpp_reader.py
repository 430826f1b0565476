"""The C++-subset reader and the project loader over every layout authors ship.

Reader units (comments, trailing layer names, the preprocessor, constant expressions,
declarations, statements), then the hls4ml-written ``axol1tl`` golden project rewritten
the ways the cms-hls4ml folders are written -- weights in one ``weights.h`` or in
``weights/*.h`` initializers, loaders commented out (``//`` and ``/* */``) or under
``#ifdef``, sizes as macros, products and constexpr, a namespace and another project name,
``auto&`` aliases -- each must still give hls4ml's golden outputs exactly.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from firmware_models.errors import ModelFormatError
from firmware_models.nn import load_hls4ml_project
from firmware_models.nn.cpp_decls import number_list, read_declarations, statements
from firmware_models.nn.cpp_reader import CppError, eval_int, read_file, tokenize

GOLDEN = Path(__file__).resolve().parent / "golden" / "hls4ml"


def _src(tmp_path: Path, files: dict[str, str], main: str = "top.cpp"):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    def resolve(name, including):
        p = including.parent / name
        return p if p.is_file() else None

    src = read_file(tmp_path / main, resolve)
    return src, read_declarations(src)


def test_comments_are_removed_and_trailing_names_kept(tmp_path):
    src, decls = _src(tmp_path, {"top.cpp": """
// nnet::dense<a, b, c>(x, y, w, b); // old
/* nnet::relu<a, b, c>(x, y);
   nnet::relu<a, b, c>(y, z); */
void f(int x[4]) {
    nnet::relu<a, b, c>(x, y); // my_relu
    nnet::linear<a, b, c>(y, z);   /* inline */ // lin
    const char* s = "// not a comment";
}
"""})
    (fn,) = decls.functions["f"]
    calls = [st.call for st in statements(fn.body, src.trailing) if st.kind == "call"]
    assert [(c.function, c.comment) for c in calls] == [("relu", "my_relu"), ("linear", "lin")]
    assert calls[0].args == ["x", "y"] and calls[0].targs == ["a", "b", "c"]


def test_preprocessor_conditionals_defines_and_includes(tmp_path):
    src, decls = _src(tmp_path, {"top.cpp": """
#include "defs.h"
#define TWICE(x) ((x) * 2)
#ifdef LOAD_WEIGHTS_FROM_TXT
static const int A = 1;
#elif defined(__SYNTHESIS__)
static const int A = 2;
#else
static const int A = TWICE(N_IN) + \\
    1;
#endif
#if N_IN > 3 && !defined(NOPE)
static const int B = 7;
#endif
#ifndef __SYNTHESIS__
static const int C = 3;
#endif
""", "defs.h": "#ifndef DEFS_H\n#define DEFS_H\n#define N_IN 5\n#endif\n"})
    assert decls.const("A") == 11 and decls.const("B") == 7 and decls.const("C") == 3


@pytest.mark.parametrize(("expr", "value"), [
    ("DIV_ROUNDUP(57*29, 4)", 414), ("(n_filt == -1) ? N : n_filt", 15), ("7 / -2", -3), ("-7 % 3", -1),
    ("(unsigned) 3 << 2", 12), ("MIN(3, MAX(1, 2))", 2), ("nnet::io_stream", 1), ("0x1F + 010", 39),
])
def test_constant_expressions(expr, value):
    consts = {"n_filt": -1, "N": 15}
    from firmware_models.nn.cpp_decls import ENUM_CONSTANTS

    assert eval_int(tokenize(expr), lambda n: consts.get(n, ENUM_CONSTANTS.get(n.split("::")[-1])), "t") == value


def test_unknown_constant_is_a_clear_error():
    with pytest.raises(CppError, match=r"cannot evaluate 'N_MISSING\*2' .*N_MISSING is not a known constant"):
        eval_int(tokenize("N_MISSING*2"), lambda n: None, "size of x")


def test_declarations(tmp_path):
    _, d = _src(tmp_path, {"top.cpp": """
namespace hls4ml_x { namespace inner {
typedef ap_fixed<16,6> t1;
using t2 = ap_ufixed<8, 0, AP_RND, AP_SAT>;
static const unsigned N_A = 3;
constexpr int N_B = N_A * 4;
enum { E0, E1 = 5, E2 };
struct config2 : nnet::dense_config {
    static const unsigned n_in = N_A;
    static const unsigned n_out = n_in * 2;
    typedef t1 accum_t;
    template<class x_T, class y_T>
    using product = nnet::product::mult<x_T, y_T>;
};
t1 w2[N_B] = {0.5, -0.25, 1e-1, 3, -.5, 0.1f, 0, 0, 0, 0, 0, 0};
extern t1 b2[2];
t1 b2[2] = {1, 2};
template <typename inp_t, typename out_t> void g(inp_t inp[N_A], out_t out[2]) { out[0] = inp[0]; }
} }
"""})
    assert d.const("N_B") == 12 and d.const("E2") == 6 and d.const("hls4ml_x::N_A") == 3
    assert {"hls4ml_x", "inner"} <= d.namespaces
    st = d.structs["config2"]
    assert st.base == "nnet::dense_config" and "accum_t" in st.typedefs and "product" in st.usings
    vals = number_list(d.arrays["w2"].init, "w2")
    assert vals[:6] == [0.5, -0.25, 0.1, 3, -0.5, float(np.float32(0.1))]
    assert number_list(d.arrays["b2"].init, "b2") == [1, 2]
    (g,) = d.functions["g"]
    assert g.template == ["inp_t", "out_t"] and [p.name for p in g.params] == ["inp", "out"]


def test_statements_aliases_and_streams(tmp_path):
    src, d = _src(tmp_path, {"top.cpp": """
void top(hls::stream<input_t> &input_1, result_t out[N*2]) {
    #pragma HLS DATAFLOW
    hls::stream<layer2_t> layer2_out("layer2_out");
    auto& layer3_out = layer2_out;
    layer4_t layer4_out[N][2];
    static bool loaded = false;
    if (!loaded) { nnet::load_weights_from_txt<w_t, 4>(w2, "w2.txt"); loaded = true; }
    nnet::dense<input_t, layer2_t, config2>(input_1, layer2_out, w2, b2); // fc
}
"""})
    (fn,) = d.functions["top"]
    assert fn.params[0].stream and fn.params[0].name == "input_1"
    kinds = [(s.kind, s.decl_name or (s.call.function if s.call else "")) for s in statements(fn.body, src.trailing)]
    assert ("decl", "layer2_out") in kinds and ("alias", "layer3_out") in kinds and ("decl", "layer4_out") in kinds
    assert ("call", "load_weights_from_txt") in kinds and kinds[-1] == ("call", "dense")


# --------------------------------------------------------------------------- layouts of a real hls4ml project
def _golden_x():
    vec = np.load(GOLDEN / "axol1tl" / "vectors.npz")
    return vec["overflow__x"][:500], vec["overflow___4"][:500]


def _txt_values(fw: Path, name: str) -> str:
    return (fw / "weights" / f"{name}.txt").read_text().strip()


def _as_cms_folder(tmp_path: Path, *, weights: str, loader: str, sizes: str, namespace: str | None) -> Path:
    """The hls4ml axol1tl project rewritten as cms-hls4ml folders are (a bare folder, no firmware/)."""
    src = GOLDEN / "axol1tl" / "firmware"
    dst = tmp_path / "NN"
    shutil.copytree(src, dst)
    top = (dst / "myproject.cpp").read_text()
    loads = re.findall(r"nnet::load_weights_from_txt<(\w+), (\d+)>\((\w+), \"(\w+\.txt)\"\);", top)
    block = top[top.index("#ifndef __SYNTHESIS__"):top.index("#endif", top.index("#ifndef __SYNTHESIS__")) + 6]
    if loader == "line_comments":
        new = "\n".join("// " + line for line in block.splitlines())
    elif loader == "block_comment":
        new = "/*\n" + block + "\n*/"
    else:  # '#ifdef LOAD_WEIGHTS_FROM_TXT', as AXOL1TL v1 and CICADA v1 write it
        new = block.replace("#ifndef __SYNTHESIS__", "#ifdef LOAD_WEIGHTS_FROM_TXT")
    top = top.replace(block, new)
    defs = (dst / "defines.h").read_text()
    n_layers = {"57": "N_INPUT_1_1", "8": "N_LAYER_6"}
    if sizes == "macros":
        defs = defs.replace("// hls-fpga-machine-learning insert numbers",
                            "#define N_INPUT_1_1 57\n#define N_LAYER_6 8\n#define N_A 16")
    elif sizes == "products":
        defs = defs.replace("// hls-fpga-machine-learning insert numbers",
                            "static const int N_A = 19;\nconstexpr int N_INPUT_1_1 = N_A * 3;\n"
                            "static const unsigned N_LAYER_6 = DIV_ROUNDUP(N_A, 2) - 2;")
    top = top.replace("input_t input_1[57]", f"input_t input_1[{n_layers['57']}]")
    top = top.replace("result_t layer6_out[8]", f"result_t layer6_out[{n_layers['8']}]")
    # an auto& alias between two layers (hls4ml's in-place reshape)
    top = top.replace("nnet::relu<layer4_t, layer5_t, relu_config5>(layer4_out, layer5_out); // _3",
                      "auto& layer4_alias = layer4_out;\n    "
                      "nnet::relu<layer4_t, layer5_t, relu_config5>(layer4_alias, layer5_out); // _3")
    params = (dst / "parameters.h").read_text()
    ns_open, ns_close = (f"namespace {namespace} {{\n", "}\n") if namespace else ("", "")
    if weights == "one_header":
        params = re.sub(r'#include "weights/\w+\.h"\n', "", params).replace(
            "// hls-fpga-machine-learning insert weights", '#include "weights.h"')
        body = "".join(f"{t} {v}[{n}] = {{{_txt_values(dst, v)}}};\n" for t, n, v, _ in loads)
        (dst / "weights.h").write_text(f'#ifndef W_H_\n#define W_H_\n#include "defines.h"\n{ns_open}{body}{ns_close}'
                                       "#endif\n")
    else:  # weights/*.h as hls4ml < 0.8 writes them
        for t, n, v, _ in loads:
            (dst / "weights" / f"{v}.h").write_text(
                f"//Numpy array shape\n#ifndef {v.upper()}_H_\n#define {v.upper()}_H_\n{ns_open}"
                f"#ifdef LOAD_WEIGHTS_FROM_TXT\n{t} {v}[{n}];\n#else\n{t} {v}[{n}] = {{{_txt_values(dst, v)}}};\n"
                f"#endif\n{ns_close}#endif\n")
    for f in (dst / "weights").glob("*.txt"):
        f.unlink()   # the .txt files are not what these folders' emulators read
    if namespace:
        defs = defs.replace("// hls-fpga-machine-learning insert layer-precision", ns_open)
        defs = defs[:defs.rindex("#endif")] + ns_close + "#endif\n"
        params = params.replace("// hls-fpga-machine-learning insert layer-config", ns_open)
        params = params[:params.rindex("#endif")] + ns_close + "#endif\n"
        top = top.replace("void myproject(", f"{ns_open}void GTADModel_x(") + ns_close
        (dst / "myproject.cpp").unlink()
        (dst / "myproject.h").write_text((dst / "myproject.h").read_text().replace("myproject(", "GTADModel_x("))
        (dst / "GTADModel_x.cpp").write_text(top)
    else:
        (dst / "myproject.cpp").write_text(top)
    (dst / "defines.h").write_text(defs)
    (dst / "parameters.h").write_text(params)
    return dst


@pytest.mark.parametrize(("weights", "loader", "sizes", "namespace"), [
    ("one_header", "line_comments", "macros", "hls4ml_axol1tl_vX"),
    ("header_per_array", "ifdef", "products", None),
    ("one_header", "block_comment", "products", "ns_a"),
    ("header_per_array", "line_comments", "macros", None),
])
def test_cms_layouts_give_hls4ml_outputs(tmp_path, weights, loader, sizes, namespace):
    folder = _as_cms_folder(tmp_path, weights=weights, loader=loader, sizes=sizes, namespace=namespace)
    model = load_hls4ml_project(folder)
    x, y = _golden_x()
    assert [p.arg for p in model.input_ports] == ["input_1"] and model.output_ports[0].arg == "layer6_out"
    np.testing.assert_array_equal(model.predict_raw(x)["_4"], y)


def test_live_txt_loader_is_read_when_the_preprocessor_keeps_it(tmp_path):
    # hls4ml 1.3.0 loads weights/*.txt under '#ifndef __SYNTHESIS__': live in the emulation, the .txt are the truth
    prj = tmp_path / "p"
    shutil.copytree(GOLDEN / "axol1tl", prj)
    (prj / "firmware" / "weights" / "b6.txt").write_text("0.5, 0.25")
    with pytest.raises(ModelFormatError, match=r"b6.txt holds 2 values, the firmware expects 8"):
        load_hls4ml_project(prj)


def test_wrapper_folder_points_to_its_network(tmp_path):
    (tmp_path / "NN").mkdir()
    shutil.copytree(GOLDEN / "axol1tl" / "firmware", tmp_path / "NN", dirs_exist_ok=True)
    (tmp_path / "Model_emulator.cpp").write_text('#include "NN/myproject.h"\nclass M { void predict() {'
                                                 ' nnet::reduce<a, 1, b>(x, op); } };\n')
    with pytest.raises(ModelFormatError, match=r"no top function .* the network may be in a subfolder: NN"):
        load_hls4ml_project(tmp_path)
    assert load_hls4ml_project(tmp_path / "NN").output_ports[0].name == "_4"
