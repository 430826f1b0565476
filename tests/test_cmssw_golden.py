"""CMSSW wrapper folders, bit-exact against the upstream wrappers compiled with g++ (no g++ here).

``tests/golden/cms`` (``scripts/make_cms_golden.py``) holds, per folder and input set, the raw
wrapper input CMSSW passes, the wrapper's scaled network input (``_scaled_input`` after
``prepare_input``) and every field ``read_result`` fills. Each stage of the wrapper model is
checked on its own -- the scaling on the inputs, the score on the recorded network outputs, the
scale arrays as compiled -- and then the whole wrapper (scaling -> network -> score) on the
inputs. Every AXOL1TL, TOPO and CICADA v1.x folder must load and be exact; the conv-network
folders (CICADA v2.x, TOoLLiP, L1TSC4NGJetModel) are exact where they load and are otherwise
refused with a ModelError naming what is missing. The folders are read from ../shared
(skipped when absent).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from cms_folders import ALL, AXOL1TL, CICADA_V1, GOLDEN, TOPO, folder
from firmware_models.errors import ModelError
from firmware_models.nn.cmssw_wrapper import load_wrapper, read_wrapper

MUST_LOAD = AXOL1TL + TOPO + CICADA_V1


def _golden(name: str):
    manifest = GOLDEN / "MANIFEST.json"
    if not manifest.is_file():
        pytest.skip(f"CMS golden vectors {GOLDEN} absent")
    entry = json.loads(manifest.read_text())["folders"].get(name)
    if entry is None:
        pytest.fail(f"{name} has no golden vectors in {manifest}")
    with np.load(GOLDEN / entry["npz"]["file"], allow_pickle=False) as z:
        arrays = {k: z[k].astype(np.int64) for k in z.files}
    sets = [s["name"] for s in entry["sets"] if s["level"] == "wrapper"]
    return arrays, sets


def _fields(arrays: dict, s: str) -> dict[str, np.ndarray]:
    """read_result's fields of set ``s``: ``result`` (an array) or ``first`` / ``second`` (a std::pair)."""
    if f"{s}__result" in arrays:
        return {"result": arrays[f"{s}__result"]}
    pre = f"{s}__result_"
    return {k[len(pre):]: v for k, v in arrays.items() if k.startswith(pre)}


@pytest.mark.parametrize("name", ALL)
def test_scaling_stage_is_exact(name: str) -> None:
    spec = read_wrapper(folder(name))
    arrays, sets = _golden(name)
    for s in sets:
        x = arrays[f"{s}__input"]
        key = f"{s}__scaled_input"
        if key in arrays:
            np.testing.assert_array_equal(spec.scaling.apply(x), arrays[key], err_msg=f"{name} {s}")
            np.testing.assert_array_equal(spec.scaling.apply_reference(x[:150]), arrays[key][:150])
        else:
            assert spec.scaling.kind == "copy", f"{name}: the wrapper scales but no scaled input was recorded"
    for arr_name, values in ((k[len("scales__"):], v) for k, v in arrays.items() if k.startswith("scales__")):
        compiled = {"offset": getattr(spec.scaling, "offsets", None), "shift": getattr(spec.scaling, "shifts", None)}
        mine = compiled["shift" if "shift" in arr_name else "offset"]
        if mine is not None:
            np.testing.assert_array_equal(np.array(mine), values, err_msg=f"{name} {arr_name}")


@pytest.mark.parametrize("name", AXOL1TL)
def test_score_stage_is_exact_on_the_recorded_network_outputs(name: str) -> None:
    # the wrapper's loss from the network output it recorded (read_result .first): the score on its own
    model_spec = read_wrapper(folder(name))
    arrays, sets = _golden(name)
    from firmware_models.nn.cmssw_wrapper import WrapperModel

    class _Recorded:  # the recorded network outputs stand in for the network
        output_ports = ()
        output_name = "out"
        output_types = {"out": model_spec.score.source_type}
        input_ports = [None]

    model = WrapperModel.__new__(WrapperModel)
    model.spec, model.network, model._out_names = model_spec, _Recorded(), ["out"]
    model.member_port = {model_spec.score.source: "out"}
    model._score_fn = model._score_head()
    for s in sets:
        f = _fields(arrays, s)
        out = {"out": f["first"]}
        for reference in (False, True):
            got = model.score_from(out, reference=reference)
            np.testing.assert_array_equal(got.reshape(-1, 1), f["second"], err_msg=f"{name} {s} ref={reference}")


def _check_model(name: str, model) -> None:
    arrays, sets = _golden(name)
    for s in sets:
        x = arrays[f"{s}__input"]
        out = model.predict_raw(x, intermediates=True)
        if f"{s}__scaled_input" in arrays:
            np.testing.assert_array_equal(out["scaled_input"], arrays[f"{s}__scaled_input"])
        expect = _fields(arrays, s)
        parts = dict(model.read_result(out))
        assert sorted(parts) == sorted(expect), f"{name}: read_result fields {sorted(parts)} vs {sorted(expect)}"
        for field, want in expect.items():
            got = parts[field].reshape(want.shape)
            np.testing.assert_array_equal(got, want, err_msg=f"{name} {s} {field}")
        if "score" in out:
            assert out["score"].shape == (len(x),)


@pytest.mark.parametrize("name", MUST_LOAD)
def test_wrapper_is_exact_end_to_end(name: str) -> None:
    model = load_wrapper(folder(name))
    _check_model(name, model)


@pytest.mark.parametrize("name", sorted(set(ALL) - set(MUST_LOAD)))
def test_conv_wrappers_are_exact_or_refused_clearly(name: str) -> None:
    try:
        model = load_wrapper(folder(name))
    except ModelError as err:
        text = str(err)
        assert text and "\n" not in text.strip(), "one clear line"
        assert any(k in text for k in ("conv", "Conv", "pool", "not supported", "unsupported", "supported")), text
        return
    _check_model(name, model)


def test_reference_twin_is_exact_on_a_slice() -> None:
    name = "AXOL1TL_v1"
    model = load_wrapper(folder(name))
    arrays, _ = _golden(name)
    x = arrays["edge__input"][:200]
    fast, ref = model.predict_raw(x), model.predict_raw(x, reference=True)
    for k in fast:
        np.testing.assert_array_equal(fast[k], ref[k], err_msg=k)
    np.testing.assert_array_equal(ref["score"], arrays["edge__result_second"][:200, 0])
