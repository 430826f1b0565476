"""Trigger rules against a brute-force window count, with state across batches."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.clock import BX_PER_ORBIT
from streams.errors import StreamIntegrityError
from triggeremu.errors import ConfigError
from triggeremu.sequencer_reference import brute_force_rules
from triggeremu.trigger_rules import RUN3_RULES, TriggerRules, absolute_bx

EXAMPLES = int(os.environ.get("TRIGGEREMU_HYPOTHESIS_EXAMPLES", "60"))


def _split_apply(rules, slots, request, cuts):
    tr = TriggerRules(rules)
    orbit = (slots // BX_PER_ORBIT).astype(np.uint32)
    bx = (slots % BX_PER_ORBIT).astype(np.uint16)
    vetoed, blocked = [], []
    for idx in np.split(np.arange(slots.size), cuts):
        r = tr.apply(orbit[idx], bx[idx], request[idx])
        vetoed.append(r.vetoed_by)
        blocked.append(r.blocked)
    return tr, np.concatenate(vetoed), np.concatenate(blocked)  # vetoed: the rule number (0 = none)


def test_run3_rules_on_every_bx_hand_worked():
    # an L1A requested in every BX (worked by hand): 0; 3 (1 in 3); 25 (2nd previous, 0,
    # is 25 back); 28 fails 3 in 100 (3rd previous 0 is 28 back); 100 (3rd previous 0 is
    # 100 back); 103 fails 4 in 240 (4th previous 0); 240 (4th previous 0 is 240 back);
    # 243 (4th previous 3 is 240 back); 246 fails 2 in 25 (2nd previous 240 is 6 back)
    slots = np.arange(260)
    tr, vetoed, blocked = _split_apply(RUN3_RULES, slots, np.ones(260, dtype=bool), [7, 100])
    np.testing.assert_array_equal(np.flatnonzero(vetoed == 0), [0, 3, 25, 100, 240, 243])
    np.testing.assert_array_equal(vetoed != 0, blocked)
    # which rule (1-based, menu order) vetoed each request, worked out by hand from the accepted
    # L1As 0, 3, 25, 100, 240, 243: the first rule that forbids the BX is recorded
    by_hand = np.zeros(260, dtype=np.uint8)
    for lo, hi, rule in [(1, 3, 1), (4, 6, 1), (6, 25, 2), (26, 28, 1), (28, 100, 3), (101, 103, 1),
                         (103, 240, 4), (241, 243, 1), (244, 246, 1), (246, 260, 2)]:
        by_hand[lo:hi] = rule
    np.testing.assert_array_equal(vetoed, by_hand)
    s = tr.summary()
    assert s["l1a_requested"] == 260 and s["l1a_vetoed"] == 254
    assert s["deadtime_fraction"] == 254 / 260
    assert s["vetoed_fraction_of_requests"] == 254 / 260


def test_deadtime_counts_blocked_bx_without_requests():
    slots = np.arange(10)
    req = np.zeros(10, dtype=bool)
    req[0] = True
    tr, vetoed, blocked = _split_apply([(1, 3)], slots, req, [])
    assert not vetoed.any()
    np.testing.assert_array_equal(np.flatnonzero(blocked), [1, 2])
    assert tr.summary()["deadtime_fraction"] == 0.2


def test_no_rules_veto_nothing():
    slots = np.arange(50)
    _, vetoed, blocked = _split_apply([], slots, np.ones(50, dtype=bool), [10])
    assert not vetoed.any() and not blocked.any()


@st.composite
def cases(draw):
    rules = draw(st.one_of(
        st.just(list(RUN3_RULES)),
        st.lists(st.tuples(st.integers(1, 4), st.integers(1, 60)), max_size=3),
    ))
    n = draw(st.integers(1, 300))
    dense = draw(st.booleans())
    span = n if dense else 3 * n
    slots = np.sort(np.array(draw(st.lists(st.integers(0, span + 2 * BX_PER_ORBIT), min_size=n, max_size=n,
                                           unique=True))))
    p = draw(st.sampled_from([0.05, 0.3, 0.9]))
    seed = draw(st.integers(0, 2**31))
    request = np.random.default_rng(seed).random(n) < p
    cuts = sorted(set(draw(st.lists(st.integers(1, max(1, n - 1)), max_size=4)))) if n > 1 else []
    return rules, slots, request, cuts


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None)
@given(cases())
def test_rules_equal_brute_force_window_count(case):
    rules, slots, request, cuts = case
    _, vetoed, blocked = _split_apply(rules, slots, request, cuts)
    np.testing.assert_array_equal(vetoed, brute_force_rules(slots, request, rules))
    # deadtime: the BX where a request would have been vetoed; check it with the brute
    # force, one extra request at a time on top of the accepted history
    accepted = request & (vetoed == 0)
    for k in range(0, slots.size, max(1, slots.size // 15)):
        probe = accepted.copy()
        probe[k:] = False
        probe[k] = True
        assert blocked[k] == bool(brute_force_rules(slots[: k + 1], probe[: k + 1], rules)[k])


def test_bad_rules_and_order_are_clear_errors():
    with pytest.raises(ConfigError, match="count and window"):
        TriggerRules([(0, 3)])
    with pytest.raises(ConfigError, match="pair"):
        TriggerRules([(1,)])
    tr = TriggerRules()
    tr.apply(np.array([0, 0], np.uint32), np.array([5, 6], np.uint16), np.array([True, True]))
    with pytest.raises(StreamIntegrityError, match="increasing order"):
        tr.apply(np.array([0], np.uint32), np.array([6], np.uint16), np.array([True]))
    assert absolute_bx(np.array([2], np.uint32), np.array([7], np.uint16))[0] == 2 * 3564 + 7
