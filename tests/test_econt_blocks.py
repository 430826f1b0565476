"""ECON-T blocks: fast kernels against their plain twins (hypothesis), codec and register rules.

The bit-exact claim of the whole chip is tested against the public vectors in
test_econt_vectors.py; here each numba/vectorized kernel is compared with an
independent plain-Python spelling of the same rule, on random inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_models.econt import codec
from firmware_models.econt.algorithms.best_choice import (
    COMPARATORS,
    best_choice,
    sort_network,
    sort_network_reference,
)
from firmware_models.econt.elinks import bx_counter, pack_rx_words, split_rx_words
from firmware_models.econt.formatter import format_best_choice, format_threshold_sum
from firmware_models.econt.algorithms import threshold_sum

# this file's own settings (a global profile here would change every other test file)
_SETTINGS = settings(max_examples=60, deadline=None)

charges = st.integers(min_value=0, max_value=(1 << 22) - 1)


# codec.encode == codec.encode_scalar: tests/test_kernel_twins.py


@_SETTINGS
@given(st.lists(st.integers(0, 127), min_size=1, max_size=64), st.sampled_from([1, 3]))
def test_decode_matches_scalar_twin_and_reencodes(codes, dropped):
    fast = codec.decode_4e3m(np.array(codes), dropped)
    np.testing.assert_array_equal(fast, [codec.decode_scalar(c, dropped) for c in codes])
    # the midpoint of a code's interval encodes back to the same code (the ROC truncates)
    np.testing.assert_array_equal(codec.encode(fast, dropped, 4, 3), codes)


def test_encode_saturates_and_rejects_negative():
    assert codec.encode(np.array([1 << 40]), 0, 4, 3)[0] == 127
    with pytest.raises(ValueError, match="values must lie in"):
        codec.encode(np.array([-1]), 0, 4, 3)


@_SETTINGS
@given(st.lists(st.lists(st.integers(0, (1 << 18) - 1), min_size=48, max_size=48), min_size=1, max_size=8))
def test_batcher_kernel_matches_twin_and_sorts(rows):
    vals = np.array(rows, dtype=np.int64)
    out_v, out_a = np.empty_like(vals), np.empty_like(vals)
    sort_network(vals, COMPARATORS, out_v, out_a)
    comps = [tuple(c) for c in COMPARATORS.tolist()]
    for r, row in enumerate(rows):
        ref_v, ref_a = sort_network_reference(row, comps)
        np.testing.assert_array_equal(out_v[r], ref_v)
        np.testing.assert_array_equal(out_a[r], ref_a)
    np.testing.assert_array_equal(out_v, -np.sort(-vals, axis=1))
    np.testing.assert_array_equal(np.take_along_axis(vals, out_a, axis=1), out_v)


def _bits(value, n):
    return format(value, f"0{n}b")


def _ts_packet(tag5, passed, codes, sum_code):
    """Threshold-sum packet spelled as a string (Formatter.py layout)."""
    n = int(sum(passed))
    kind = "000" if n == 0 else ("010" if n < 8 else "100")
    s = _bits(tag5, 5) + kind + _bits(sum_code, 8)
    kept = [c for c, p in zip(codes, passed) if p]
    if 0 < n < 8:
        s += _bits(n, 3) + "".join(_bits(a, 6) for a, p in enumerate(passed) if p)
    elif n >= 8:
        s += "".join("1" if p else "0" for p in passed)
    s += "".join(_bits(c, 7) for c in kept)
    return s + "0" * (-len(s) % 16)


def _words(bitstring):
    return [int(bitstring[i:i + 16], 2) for i in range(0, len(bitstring), 16)]


@_SETTINGS
@given(st.lists(st.lists(st.integers(0, 4000), min_size=48, max_size=48), min_size=1, max_size=6),
       st.integers(0, 3000), st.integers(0, 4), st.booleans())
def test_threshold_sum_packets_match_string_twin(rows, thr, drop, use_sum):
    calq = np.array(rows, dtype=np.int64)
    tag5 = np.arange(len(rows), dtype=np.int64) % 16
    ts = threshold_sum(calq, (thr,) * 48, drop)
    frames = format_threshold_sum(ts, tag5, use_sum=use_sum, tx_sync_word=0x122)
    for r in range(len(rows)):
        sums = ts.sum_all if use_sum else ts.sum_not_sent
        words = _words(_ts_packet(int(tag5[r]), ts.passed[r].tolist(), ts.codes[r].tolist(), int(sums[r])))
        assert frames.numw[r] == len(words)
        np.testing.assert_array_equal(frames.words[r, :len(words)], words)
        assert all(w == (int(tag5[r]) << 11 | 0x122) for w in frames.words[r, len(words):])


@_SETTINGS
@given(st.lists(st.lists(st.integers(0, 1 << 20), min_size=48, max_size=48), min_size=1, max_size=6),
       st.integers(1, 13), st.booleans())
def test_best_choice_packets_match_string_twin(rows, n_links, lsb0):
    """The packet spelled as a bit string; ``lsb0``: production map, address 47 written first."""
    from firmware_models.econt.algorithms.best_choice import TC_PER_LINK

    calq = np.array(rows, dtype=np.int64)
    head4 = np.arange(len(rows), dtype=np.int64) % 16
    bc = best_choice(calq, 2)
    frames = format_best_choice(bc, head4, n_links=n_links, use_sum=False, map_address0_lsb=lsb0)
    n_tc = TC_PER_LINK[n_links]
    for r in range(len(rows)):
        chosen = sorted(bc.sorted_addr[r, :n_tc].tolist())
        s = _bits(int(head4[r]), 4) + _bits(codec.encode_scalar(int(bc.sorted_charges[r, n_tc:].sum()), 0, 5, 3), 8)
        order = range(47, -1, -1) if lsb0 else range(48)
        s += "".join(_bits(a, 6) for a in chosen) if n_tc < 8 else "".join("1" if a in chosen else "0" for a in order)
        s += "".join(_bits(codec.encode_scalar(int(bc.charges[r, a]), 0, 4, 3), 7) for a in chosen)
        words = _words(s + "0" * (-len(s) % 16))
        np.testing.assert_array_equal(frames.words[r, :len(words)], words)


# run_buffer == buffer_scan_reference: tests/test_kernel_twins.py


@_SETTINGS
@given(st.lists(st.lists(st.integers(0, 127), min_size=48, max_size=48), min_size=1, max_size=5),
       st.sampled_from(["lsb_first", "msb_first"]))
def test_elink_pack_split_roundtrip(rows, order):
    codes = np.array(rows, dtype=np.int64)
    bx = np.arange(len(rows))
    headers, back = split_rx_words(pack_rx_words(codes, bx, order), order)
    np.testing.assert_array_equal(back, codes)
    assert headers[0] == 0x9 and all(h == 0xA for h in headers[1:])


def test_bx_counter_orbit_wrap_and_sync():
    headers = np.full(3570, 0xA)
    headers[2] = 0x9
    bx, nxt = bx_counter(headers, start=7)
    assert bx[:2].tolist() == [7, 8]  # before the first sync the counter free-runs from its state
    assert bx[2] == 0 and bx[3565] == 3563 and bx[3566] == 0  # sync, then the orbit wraps at 3564
    assert nxt == (bx[-1] + 1) % 3564


@_SETTINGS
@given(st.lists(st.lists(st.integers(0, 0xFFFFFFFF), min_size=12, max_size=12), min_size=1, max_size=8),
       st.permutations(list(range(48))), st.booleans(), st.sampled_from(["lsb_first", "msb_first"]),
       st.lists(st.integers(0, 4095), min_size=48, max_size=48))
def test_fused_front_end_matches_plain_blocks(rows, mux, hd, order, cal):
    from firmware_models.econt import EcontConfig
    from firmware_models.econt.calibration import calibrate
    from firmware_models.econt.elinks import apply_mux
    from firmware_models.econt.frontend import front_end

    cfg = EcontConfig(mux=tuple(mux), high_density=hd, input_cell_order=order, cal=tuple(cal))
    words = np.array(rows, dtype=np.int64)
    zero = np.zeros(len(rows), dtype=bool)
    zero[0] = True
    _, codes = split_rx_words(words, order)
    plain = calibrate(codec.decode_4e3m(apply_mux(codes, cfg.mux), cfg.dropped_bits), cfg.cal)
    plain[0] = 0
    np.testing.assert_array_equal(front_end(words, cfg, zero), plain)


# threshold_sum == threshold_sum_reference: tests/test_kernel_twins.py
