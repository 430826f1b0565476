"""Rate formula and menu-report rates on hand-computable cases."""

import math

import numpy as np
import pytest

from triggeremu.rates import RateCounter, rate_khz


def test_rate_formula_hand_computed():
    # 3 of 10 zero-bias events pass, 2748 colliding bunches, f_rev = 11245.613 Hz:
    # 0.3 * 2748 = 824.4 bunches/orbit-equivalent; * 11245.613 Hz = 9270883.3572 Hz
    r, e = rate_khz(3, 10, 2748)
    assert r == pytest.approx(9270.8833572, rel=1e-12)
    assert e == pytest.approx(9270.8833572 / math.sqrt(3), rel=1e-12)


def test_rate_of_nothing_is_zero():
    assert rate_khz(0, 0, 2748) == (0.0, 0.0)
    assert rate_khz(0, 100, 2748) == (0.0, 0.0)


def test_pure_proportional_and_total_rates_hand_computed():
    # events: {A}, {A,B}, {A,B,C}, {} -> pure A=1; prop A=1+1/2+1/3, B=1/2+1/3, C=1/3; OR=3
    bits = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1], [0, 0, 0]], dtype=bool)
    rc = RateCounter(["A", "B", "C"])
    rc.add(bits, bits, np.array([True, False, True, False]))
    t = rc.table(n_colliding=1)
    scale = 11245.613 / 4 / 1e3  # kHz per event for 1 colliding bunch and 4 events
    seeds = t["seeds"]
    assert [seeds[s]["count"] for s in "ABC"] == [3, 2, 1]
    assert seeds["A"]["pure_rate_khz"] == pytest.approx(1 * scale)
    assert seeds["B"]["pure_rate_khz"] == 0.0
    assert seeds["A"]["proportional_rate_khz"] == pytest.approx((1 + 1 / 2 + 1 / 3) * scale)
    assert seeds["B"]["proportional_rate_khz"] == pytest.approx((1 / 2 + 1 / 3) * scale)
    assert seeds["C"]["proportional_rate_khz"] == pytest.approx((1 / 3) * scale)
    # proportional rates add up to the total rate: overlaps counted once
    assert sum(s["proportional_rate_khz"] for s in seeds.values()) == pytest.approx(t["total_rate_khz"])
    assert t["total_rate_khz"] == pytest.approx(3 * scale)
    # after deadtime: the accepted mask keeps events 1 and 3 -> A in both, B and C in event 3
    assert seeds["A"]["rate_after_deadtime_khz"] == pytest.approx(2 * scale)
    assert seeds["C"]["rate_after_deadtime_khz"] == pytest.approx(1 * scale)
    assert t["total_rate_after_deadtime_khz"] == pytest.approx(2 * scale)


def test_counts_accumulate_over_batches_like_one_batch():
    rng = np.random.default_rng(1)
    bits = rng.random((1000, 4)) < 0.1
    one = RateCounter(list("abcd"))
    one.add(bits, bits, bits.any(axis=1))
    many = RateCounter(list("abcd"))
    for part in np.array_split(np.arange(1000), 7):
        many.add(bits[part], bits[part], bits[part].any(axis=1))
    assert one.table(2748) == many.table(2748)
