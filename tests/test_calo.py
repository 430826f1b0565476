"""The synthetic calorimeter source: determinism, batch invariance, physics sanity (kernel == twin:
tests/test_kernel_twins.py).

Physics expectations are computed here independently with scipy (the
incomplete gamma function and the normal CDF), not with the source's kernels.
"""

from __future__ import annotations

import numpy as np
import pytest

from streams.calo import (
    CELL_MAX,
    COUNTS_PER_GEV,
    GRID,
    N_LAYERS,
    ShowerParams,
    SyntheticCaloSource,
    cell_index,
    counts_to_gev,
    gev_to_counts,
    layer_sums,
)
from streams.clock import FillingScheme
from streams.schema import from_columns, to_columns


def _concat(batches, key):
    return np.concatenate([b[key] for b in batches])


def test_batches_have_the_schema_columns():
    src = SyntheticCaloSource(3000, seed=1, batch_events=1000, pileup_mean=60.0, signal_fraction=0.1)
    batches = list(src)
    assert len(batches) == len(src) == 3
    b = batches[0]
    assert b["calo_cells"].shape == (1000, 48) and b["calo_cells"].dtype == np.uint32
    assert b["l1_inputs"].shape == (1000, 57) and b["l1_inputs"].dtype == np.int32
    assert not b["l1_inputs"].any() and not b["bad_input"].any()
    assert b["pileup"].dtype == np.uint16 and b["label"].dtype == np.int8
    rt = to_columns(from_columns(b))
    np.testing.assert_array_equal(rt["calo_cells"], b["calo_cells"])
    plain = next(iter(SyntheticCaloSource(10, seed=1)))
    assert "pileup" not in plain and "label" not in plain


def test_content_is_independent_of_batch_size():
    kw = {"seed": 7, "pileup_mean": 140.0, "signal_fraction": 0.3, "scheme": FillingScheme.single_train(72)}
    a = list(SyntheticCaloSource(2500, batch_events=2500, **kw))
    b = list(SyntheticCaloSource(2500, batch_events=333, **kw))
    for key in ("calo_cells", "label", "pileup", "orbit", "bx", "event"):
        np.testing.assert_array_equal(_concat(a, key), _concat(b, key))
    part = SyntheticCaloSource(2500, **kw).make_batch(1234, 100)
    np.testing.assert_array_equal(part["calo_cells"], _concat(a, "calo_cells")[1234:1334])
    other = SyntheticCaloSource(2500, batch_events=2500, **{**kw, "seed": 8})
    assert (next(iter(other))["calo_cells"] != a[0]["calo_cells"]).mean() > 0.5


# fill_showers == fill_showers_reference: tests/test_kernel_twins.py


def test_energy_spectrum_is_log_uniform():
    b = SyntheticCaloSource(20000, seed=3).make_batch(0, 20000, truth=True)
    e = b["true_energy_gev"]
    assert e.min() >= 1.0 and e.max() <= 1000.0
    # log-uniform over 3 decades: a third of the events per decade, binomial errors
    for lo in (1.0, 10.0, 100.0):
        frac = ((e >= lo) & (e < 10 * lo)).mean()
        assert abs(frac - 1 / 3) < 4 * np.sqrt(1 / 3 * 2 / 3 / e.size)


def _expected_layer_fractions(energy: float, p: ShowerParams) -> np.ndarray:
    """Longitudinal containment per layer averaged over the t_max spread and the e/gamma mix (scipy)."""
    from scipy.special import gammainc

    z = np.linspace(-6, 6, 2001)
    w = np.exp(-0.5 * z * z)
    w /= w.sum()
    out = np.zeros(N_LAYERS)
    for c in (-0.5, 0.5):
        tmax = np.maximum(np.log(energy / p.critical_energy_gev) + c + p.tmax_sigma_x0 * z, 0.5)
        a = 1 + p.long_b * tmax
        cdf = [gammainc(a, p.long_b * t) for t in p.layer_edges_x0]
        for layer in range(N_LAYERS):
            out[layer] += 0.5 * (w * (cdf[layer + 1] - cdf[layer])).sum()
    return out


def _expected_window_containment(p: ShowerParams, layer: int) -> float:
    """Share of a layer's energy inside the 4x4 window, impact uniform over +-impact_half (scipy)."""
    from scipy.stats import norm

    x0 = np.linspace(-p.impact_half_cm, p.impact_half_cm, 401)
    half = 2 * p.pitch_cm[layer]

    def inside(s):
        return norm.cdf((half - x0) / s) - norm.cdf((-half - x0) / s)

    core, tail = inside(p.core_sigma_cm[layer]), inside(p.tail_sigma_cm[layer])
    # independent x and y impact: average the product over both
    return float(p.core_fraction * core.mean() ** 2 + (1 - p.core_fraction) * tail.mean() ** 2)


@pytest.mark.parametrize("energy", [5.0, 50.0, 500.0])
def test_layer_energy_fractions_follow_the_gamma_profile(energy):
    pytest.importorskip("scipy")
    params = ShowerParams()
    src = SyntheticCaloSource(20000, seed=11, energy_range=(energy, energy), params=params)
    cells = src.make_batch(0, 20000)["calo_cells"]
    measured = layer_sums(cells).mean(axis=0) / (energy * COUNTS_PER_GEV)
    expected = _expected_layer_fractions(energy, params) * np.array(
        [_expected_window_containment(params, layer) for layer in range(N_LAYERS)]
    )
    # Noise clipped at zero can only add, at most E|N(0, sigma)|+ = 0.4 sigma per cell (16 per layer).
    noise_bias = np.array(params.noise_gev) * 16 * 0.4 / energy
    residual = measured - expected
    tol = 0.003 + 0.01 * expected
    assert np.all(residual >= -tol), (measured, expected)
    assert np.all(residual <= noise_bias + tol), (measured, expected, noise_bias)
    # the shower maximum moves deeper with energy: the depth profile is the physics, not the noise
    assert expected.argmax() == 1


def test_transverse_containment_and_central_cells():
    src = SyntheticCaloSource(5000, seed=5, energy_range=(200.0, 200.0))
    cells = src.make_batch(0, 5000)["calo_cells"].astype(np.int64).reshape(-1, N_LAYERS, GRID, GRID)
    central = cells[:, 1, 1:3, 1:3].sum(axis=(1, 2))
    ring = cells[:, 1].sum(axis=(1, 2)) - central
    assert (central > ring).mean() > 0.99  # EM showers are narrow at shower max
    sig = SyntheticCaloSource(5000, seed=5, energy_range=(200.0, 200.0), signal_fraction=1.0)
    sc = sig.make_batch(0, 5000)["calo_cells"].astype(np.int64).reshape(-1, N_LAYERS, GRID, GRID)
    sig_ring_share = (sc[:, 1].sum(axis=(1, 2)) - sc[:, 1, 1:3, 1:3].sum(axis=(1, 2))) / sc[:, 1].sum(axis=(1, 2))
    assert np.median(sig_ring_share) > 2 * np.median(ring / cells[:, 1].sum(axis=(1, 2)))


def test_pileup_adds_the_documented_mean_per_cell():
    p = ShowerParams()
    n = 20000
    base = SyntheticCaloSource(n, seed=2, energy_range=(100.0, 100.0)).make_batch(0, n)
    pu = SyntheticCaloSource(n, seed=2, energy_range=(100.0, 100.0), pileup_mean=200.0).make_batch(0, n)
    mean_pu = pu["pileup"].mean()
    assert abs(mean_pu - 200.0) < 1.0
    added = (layer_sums(pu["calo_cells"]) - layer_sums(base["calo_cells"])).mean(axis=0)
    expected = mean_pu * np.array(p.pileup_mean_gev) * GRID * GRID * COUNTS_PER_GEV
    np.testing.assert_allclose(added, expected, rtol=0.05)


def test_cells_saturate_at_22_bits_and_helpers():
    assert cell_index(2, 3, 1) == 32 + 12 + 1
    np.testing.assert_array_equal(gev_to_counts([-1.0, 0.00049, 0.0005, 1.0, 1e6]), [0, 0, 1, 2000, CELL_MAX])
    np.testing.assert_allclose(counts_to_gev(np.array([2000])), [1.0])
    with pytest.raises(ValueError, match="NaN"):
        gev_to_counts([np.nan])
    hot = SyntheticCaloSource(200, seed=1, energy_range=(1e5, 1e5)).make_batch(0, 200)["calo_cells"]
    assert hot.max() == CELL_MAX


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_events": -1}, "n_events"),
        ({"energy_range": (0.0, 10.0)}, "energy_range"),
        ({"energy_range": (10.0, 1.0)}, "energy_range"),
        ({"signal_fraction": 1.5}, "signal_fraction"),
        ({"pileup_mean": -3.0}, "pileup_mean"),
        ({"batch_events": -5}, "batch_events"),
    ],
)
def test_bad_arguments_name_the_problem(kwargs, match):
    kw = {"n_events": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        SyntheticCaloSource(kw.pop("n_events"), **kw)
