"""The BX clock and filling schemes."""

import numpy as np
import pytest

from streams.clock import BX_PER_ORBIT, BX_PERIOD_FS, FillingScheme, assign_bx, bx_time_fs, poisson_pileup


def test_bx_period_is_the_nearest_femtosecond():
    # 1 / (3564 * 11245.613 Hz) = 24.950495266 ns
    assert BX_PERIOD_FS == 24_950_495


@pytest.mark.parametrize(("scheme", "n"), [(FillingScheme.lhc_25ns_2748(), 2748), (FillingScheme.lhc_design_2808(), 2808)])
def test_lhc_schemes_have_their_bunches_and_respect_the_abort_gap(scheme, n):
    assert scheme.n_colliding == n
    assert scheme.filled.max() < BX_PER_ORBIT - 121
    assert np.all(np.diff(scheme.filled.astype(int)) >= 1)


def test_design_scheme_is_39_trains_of_72():
    gaps = np.diff(FillingScheme.lhc_design_2808().filled.astype(int))
    assert int((gaps > 1).sum()) == 38  # 39 trains


def test_scheme_from_file(tmp_path):
    p = tmp_path / "fill.txt"
    p.write_text("# filled BX\n0, 1, 2\n100 101\n")
    s = FillingScheme.from_file(p)
    assert s.filled.tolist() == [0, 1, 2, 100, 101]
    p.write_text("0 3564\n")
    with pytest.raises(ValueError, match="0-based"):
        FillingScheme.from_file(p)
    p.write_text("0 x\n")
    with pytest.raises(ValueError, match="not an integer"):
        FillingScheme.from_file(p)


def test_events_fill_colliding_bx_in_order_across_orbits():
    s = FillingScheme.single_train(3, first=10)
    orbit, bx, event = assign_bx(5, 4, s)
    assert event.tolist() == [5, 6, 7, 8]
    assert orbit.tolist() == [1, 2, 2, 2]
    assert bx.tolist() == [12, 10, 11, 12]
    t = bx_time_fs(orbit, bx)
    assert t[1] - t[0] == (BX_PER_ORBIT - 2) * BX_PERIOD_FS


def test_pileup_is_poisson_and_independent_of_batching():
    s = FillingScheme.lhc_25ns_2748()
    o, b, _ = assign_bx(0, 200_000, s)
    pu = poisson_pileup(o, b, 60.0, seed=3)
    assert abs(pu.mean() - 60) < 0.1
    assert abs(pu.var() - 60) < 1.0
    assert np.array_equal(pu[1000:2000], poisson_pileup(o[1000:2000], b[1000:2000], 60.0, seed=3))
