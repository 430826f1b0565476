"""Reading CMSSW hls4mlEmulator wrapper folders: every cms-hls4ml folder is recognised for what it
computes, and wrappers outside the supported forms are refused with what was found.

The real folders are read in place from ../shared (skipped when absent); the refusal cases are
small wrapper sources of our own written to tmp_path. Exactness against the upstream wrappers
compiled with g++ is in ``tests/test_cmssw_golden.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cms_folders import ALL, AXOL1TL, CICADA_V1, CICADA_V2, JET_TAGGERS, TOPO, folder
from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType
from firmware_models.nn.cmssw_wrapper import is_wrapper_folder, read_wrapper
from firmware_models.nn.loader import detect


@pytest.mark.parametrize("name", ALL)
def test_every_folder_is_read(name: str) -> None:
    spec = read_wrapper(folder(name))
    assert detect(folder(name)) == "cmssw-wrapper"
    assert (spec.network_dir / "NN").exists() or spec.network_dir.name in (name, "NN")
    assert spec.result, "read_result copies something"
    assert spec.call_args[0] == spec.network_input_member


@pytest.mark.parametrize("name", AXOL1TL)
def test_axol1tl_scales_57_inputs_of_ap_fixed_18_13(name: str) -> None:
    spec = read_wrapper(folder(name))
    sc = spec.scaling
    assert spec.input_type == FixedType(18, 13) and spec.input_size == 57
    assert sc.kind == "offset_shift" and sc.tmp0_type == FixedType(18, 13)
    v = int(name[-1])
    # offsets as their declared types hold them: v1/v3 ap_fixed<10,9> keep halves, v4-v6 ap_fixed<10,10> floor
    assert sc.offset_type == (FixedType(10, 9) if v in (1, 3) else FixedType(10, 10))
    if v == 4:
        assert sc.offsets[6] == 4          # scales.h writes 4.5
    if v == 1:
        assert sc.offsets[8] == 67         # 33.5 at LSB 0.5
    assert any(s < 0 for s in sc.shifts), "every AXOL1TL version has negative (left) shifts"
    assert spec.score is not None and spec.score.type == FixedType(18, 14, signed=False)
    assert spec.score.kind == ("output" if v >= 5 else "sum_squares")
    assert [r.field for r in spec.result] == ["first", "second"]


def test_topo_divides_in_double() -> None:
    spec = read_wrapper(folder(TOPO[0]))
    assert spec.scaling.kind == "affine_double"
    assert spec.input_type == FixedType(23, 23) and spec.scaling.out_type == FixedType(16, 6)
    assert spec.scaling.norm[0] == 256.0 and spec.scaling.bias[0] == 51
    assert spec.score is None and len(spec.result) == 1


@pytest.mark.parametrize("name", CICADA_V1 + CICADA_V2 + JET_TAGGERS)
def test_calo_and_jet_wrappers_copy_their_input(name: str) -> None:
    spec = read_wrapper(folder(name))
    assert spec.scaling.kind == "copy" and spec.score is None


def test_cicada_enum_saturation_bits_argument_is_read() -> None:
    # CICADA_v1p1p1 declares result_t as ap_ufixed<16,8,AP_RND,AP_SAT,AP_SAT>: N = AP_SAT = 0
    spec = read_wrapper(folder("CICADA_v1p1p1"))
    assert spec.result[0].type == FixedType(16, 8, False, "RND", "SAT", 0)


def test_jet_tagger_pair_of_arrays() -> None:
    spec = read_wrapper(folder("L1TSC4NGJetModel_v0"))
    assert [(r.field, r.member, r.size) for r in spec.result] == [("first", "_layer24_out", 1),
                                                                   ("second", "_layer22_out", 8)]
    assert spec.input_size == 16 * 20


# --------------------------------------------------------------------------- refusals (our own sources)
_HEADER = """
#ifndef NET_H_
#define NET_H_
namespace demo {
#define N_IN 2
#define N_OUT 1
typedef ap_fixed<18,13> unscaled_t;
typedef ap_fixed<8,6,AP_RND_CONV,AP_SAT> input_t;
typedef ap_fixed<10,7> result_t;
typedef ap_ufixed<18,14> loss_t;
typedef ap_fixed<10,9> off_t;
typedef ap_fixed<5,5> sh_t;
static const off_t offs[N_IN] = {1.5, -2.};
static const sh_t shs[N_IN] = {1, -1};
void net(input_t in_1[N_IN], result_t out_1[N_OUT]);
}
#endif
"""

_WRAPPER = """
#include "net.h"
#include "emulator.h"
using namespace demo;
class Demo : public hls4mlEmulator::Model {
  private:
    unscaled_t _raw[N_IN];
    input_t _scaled[N_IN];
    result_t _result[N_OUT];
    loss_t _loss;
    void _scale(unscaled_t x[N_IN], input_t y[N_IN]) {
      for (int i = 0; i < N_IN; i++) {
        @SCALE@
      }
    }
    loss_t _computeLoss(result_t r[N_OUT]) {
      @LOSS@
    }
  public:
    virtual void prepare_input(std::any input) {
      unscaled_t *p = std::any_cast<unscaled_t*>(input);
      for (int i = 0; i < N_IN; i++) _raw[i] = std::any_cast<unscaled_t>(p[i]);
      _scale(_raw, _scaled);
    }
    virtual void predict() { net(_scaled, _result); _loss = _computeLoss(_result); }
    virtual void read_result(std::any result) {
      std::pair<result_t, loss_t> *rp = std::any_cast<std::pair<result_t, loss_t>*>(result);
      rp->first = _result[0];
      rp->second = _loss;
    }
};
extern "C" hls4mlEmulator::Model* create_model() { return new Demo; }
"""

_SCALE = "unscaled_t t0 = x[i] - offs[i]; input_t t1 = t0 >> shs[i]; y[i] = t1;"
_LOSS = "loss_t l; l = r[0]; return l;"


def _write(tmp_path: Path, scale: str = _SCALE, loss: str = _LOSS) -> Path:
    (tmp_path / "net.h").write_text(_HEADER)
    (tmp_path / "net.cpp").write_text('#include "net.h"\nnamespace demo { void net(input_t a[N_IN], '
                                      "result_t b[N_OUT]) { } }\n")
    (tmp_path / "demo.cpp").write_text(_WRAPPER.replace("@SCALE@", scale).replace("@LOSS@", loss))
    return tmp_path


def test_our_own_wrapper_is_recognised(tmp_path: Path) -> None:
    spec = read_wrapper(_write(tmp_path))
    assert spec.class_name == "Demo" and spec.top == "net" and spec.network_dir == tmp_path
    assert spec.scaling.offsets == (3, -4) and spec.scaling.shifts == (1, -1)
    assert spec.score.kind == "output"
    x = np.array([[32 * 10, 32 * 3]])
    # (10 - 1.5) >> 1 = 4.25 ; (3 + 2) << 1 = 10 ; into ap_fixed<8,6> (LSB 0.25)
    np.testing.assert_array_equal(spec.scaling.apply(x), [[17, 40]])
    assert is_wrapper_folder(tmp_path)


@pytest.mark.parametrize(("scale", "loss", "match"), [
    ("unscaled_t t0 = x[i] * offs[i]; input_t t1 = t0; y[i] = t1;", _LOSS,
     r"unrecognised statement 'unscaled_t t0 = x\[i\] \* offs\[i\]'"),
    ("unscaled_t t0 = x[i] - offs[i]; input_t t1 = t0 << shs[i]; y[i] = t1;", _LOSS, "t0 >> shift"),
    ("unscaled_t t0 = x[i] - nowhere[i]; input_t t1 = t0 >> shs[i]; y[i] = t1;", _LOSS,
     "offset array 'nowhere' is not defined"),
    (_SCALE, "loss_t l; l = r[0] + r[0]; return l;", "unrecognised loss computation"),
    ("double t0 = x[i] - offs[i]; double t1 = t0 / shs[i]; y[i] = static_cast<input_t>(t1);", _LOSS,
     "only integer biases"),
])
def test_unrecognised_wrappers_are_refused_with_what_was_found(tmp_path: Path, scale, loss, match) -> None:
    with pytest.raises(ModelFormatError, match=match) as info:
        read_wrapper(_write(tmp_path, scale, loss))
    assert "Demo" in str(info.value) or "demo" in str(info.value)


def test_a_folder_without_a_wrapper_or_with_two_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="found 0"):
        read_wrapper(tmp_path)
    _write(tmp_path)
    (tmp_path / "other.cpp").write_text((tmp_path / "demo.cpp").read_text())
    with pytest.raises(ModelFormatError, match="found 2: demo.cpp, other.cpp"):
        read_wrapper(tmp_path)


def test_a_missing_top_function_definition_is_refused(tmp_path: Path) -> None:
    _write(tmp_path)
    (tmp_path / "net.cpp").unlink()
    with pytest.raises(ModelFormatError, match=r"defines the top function net\(\)"):
        read_wrapper(tmp_path)


def test_loader_front_door_names_the_kinds(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="cmssw-wrapper, hls4ml-project, onnx"):
        detect(tmp_path / "nothing.bin")
    assert detect(_write(tmp_path)) == "cmssw-wrapper"


def test_methods_defined_outside_the_class_are_read(tmp_path: Path) -> None:
    _write(tmp_path)
    src = (tmp_path / "demo.cpp").read_text()
    inside = "    loss_t _computeLoss(result_t r[N_OUT]) {\n      " + _LOSS + "\n    }\n"
    assert inside in src
    src = src.replace(inside, "    loss_t _computeLoss(result_t r[N_OUT]);\n")
    src = src.replace('extern "C"', "loss_t Demo::_computeLoss(result_t r[N_OUT]) {\n  " + _LOSS + '\n}\nextern "C"', 1)
    (tmp_path / "demo.cpp").write_text(src)
    spec = read_wrapper(tmp_path)
    assert spec.score.kind == "output" and spec.score.index == 0
