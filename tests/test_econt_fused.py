"""The fused ECON-T kernels against the plain block chain they replace (hypothesis).

:meth:`EcontChip.fused_frames` (one numba pass per BX: front end, algorithm and
packet) must give the same formatter frames (words, word counts, truncated
packets, bit counts) and AE latent codes as :meth:`EcontChip.reference_frames`
(front end -> algorithm -> formatter, each block tested against its own plain
twin in test_econt_blocks.py), for random words and random registers of every
algorithm. Best-choice gets tie-heavy inputs too: with many equal charges the
sorting network's order decides which cells are sent. The helpers (bit writer,
count-leading-zeros bit length, pruned network, float32 AE, ring buffer across
batches) are checked against plain spellings.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_models.econt import EcontChip, EcontConfig
from firmware_models.econt.algorithms.autoencoder import latent_code, latent_code_reference
from firmware_models.econt.algorithms.best_choice import COMPARATORS, TC_PER_LINK, sort_network, sort_network_reference
from firmware_models.econt.bitpack import flush_bits, push_bits, push_field
from firmware_models.econt.buffer import BufferState, buffer_scan_reference, run_buffer
from firmware_models.econt.codec import bit_length
from firmware_models.econt.elinks import pack_rx_words
from firmware_models.econt.formatter import Frames
from firmware_models.econt.fused_bc import pruned_comparators
from firmware_models.econt.registers import _AE_WEIGHT_BITS, AE_WEIGHT_REGISTERS

_FAST = settings(max_examples=40, deadline=None)  # no deadline: the first example may compile a kernel


def _ae_weights(rng: np.random.Generator) -> tuple[int, ...]:
    out = []
    for _ in range(12):
        for off in AE_WEIGHT_REGISTERS:
            nbytes = _AE_WEIGHT_BITS[off] // 8
            out.append(int.from_bytes(rng.bytes(nbytes), "little"))
    return tuple(out)


@st.composite
def configs(draw, algorithm=None):
    algo = draw(st.integers(0, 4)) if algorithm is None else algorithm
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    uniform_cal = draw(st.booleans())
    cal = (int(rng.integers(1, 4096)),) * 48 if uniform_cal else tuple(int(c) for c in rng.integers(0, 4096, 48))
    thr_kind = draw(st.sampled_from(["small", "random", "huge"]))
    thr = {"small": rng.integers(0, 64, 48), "random": rng.integers(0, 1 << 16, 48),
           "huge": rng.integers(0, 1 << 24, 48)}[thr_kind]
    return EcontConfig(
        algorithm=algo,
        high_density=draw(st.booleans()),
        drop_lsb=draw(st.integers(0, 7)),
        n_links=draw(st.integers(1, 13)),
        mux=tuple(int(m) for m in (rng.permutation(48) if draw(st.booleans()) else rng.integers(0, 48, 48))),
        cal=cal,
        threshold=tuple(int(t) for t in thr),
        stc_type=draw(st.integers(0, 3)),
        use_sum=draw(st.booleans()),
        tx_sync_word=draw(st.integers(0, 0x7FF)),
        idle_pattern=draw(st.none() | st.integers(0, 0x7FF)),
        ae_mask=draw(st.sampled_from([(1 << 144) - 1, int.from_bytes(rng.bytes(18), "little"), 0x1FF << 9])),
        ae_weights=_ae_weights(rng) if algo == 4 else EcontConfig().ae_weights,
        input_cell_order=draw(st.sampled_from(["lsb_first", "msb_first"])),
        channel_map_order=draw(st.sampled_from(["address0_msb", "address0_lsb"])),
    )


@st.composite
def word_batches(draw, ties=False):
    n = draw(st.integers(1, 150))  # more than one 64-BX block of the best-choice kernel
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if ties:  # few distinct codes, mostly zero: many equal charges in every BX
        palette = np.array(draw(st.lists(st.integers(0, 127), min_size=1, max_size=4)) + [0, 0])
        codes = palette[rng.integers(0, len(palette), size=(n, 48))]
        words = pack_rx_words(codes, np.arange(n))
    else:
        words = rng.integers(0, 1 << 32, size=(n, 12), dtype=np.uint64).astype(np.uint32)
    zero = rng.random(n) < 0.1
    tag5 = np.where(np.arange(n) % 3564 == 0, 31, np.arange(n) % 16).astype(np.int64)
    return np.ascontiguousarray(words), zero, tag5


def _assert_same_frames(chip, words, zero, tag5):
    fast, fast_latent = chip.fused_frames(words, zero, tag5)
    ref, ref_latent = chip.reference_frames(words, zero, tag5)
    for name in ("words", "numw", "trunc", "bits"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(ref, name), err_msg=f"frames.{name}")
    if ref_latent is None:
        assert fast_latent is None
    else:
        np.testing.assert_array_equal(fast_latent, ref_latent)


@_FAST
@given(configs(), word_batches())
def test_fused_frames_equal_block_chain(cfg, batch):
    _assert_same_frames(EcontChip(cfg), *batch)


@_FAST
@given(configs(algorithm=2), word_batches(ties=True))
def test_fused_best_choice_equal_block_chain_on_ties(cfg, batch):
    _assert_same_frames(EcontChip(cfg), *batch)


@_FAST
@given(configs(algorithm=0), word_batches(ties=True))
def test_fused_threshold_sum_equal_block_chain_on_sparse_input(cfg, batch):
    _assert_same_frames(EcontChip(cfg), *batch)


@_FAST
@given(st.sampled_from(sorted(set(TC_PER_LINK) - {0})),
       st.lists(st.lists(st.sampled_from([0, 0, 0, 3, 3, 9, 262143]), min_size=48, max_size=48), min_size=1, max_size=6))
def test_pruned_network_keeps_the_read_outputs(n_out, rows):
    vals = np.array(rows, dtype=np.int64)
    ci, cj = pruned_comparators(n_out)
    assert len(ci) <= len(COMPARATORS)
    pruned = np.stack([ci, cj], axis=1)
    for row in rows:
        full_v, full_a = sort_network_reference(row, [tuple(c) for c in COMPARATORS.tolist()])
        part_v, part_a = sort_network_reference(row, [tuple(c) for c in pruned.tolist()])
        assert part_v[:n_out] == full_v[:n_out] and part_a[:n_out] == full_a[:n_out]
    out_v, out_a = np.empty_like(vals), np.empty_like(vals)
    sort_network(vals, COMPARATORS, out_v, out_a)  # the numba twin agrees on the same tie-heavy rows
    for r, row in enumerate(rows):
        ref_v, ref_a = sort_network_reference(row, [tuple(c) for c in COMPARATORS.tolist()])
        assert out_v[r].tolist() == ref_v and out_a[r].tolist() == ref_a


@_FAST
@given(st.lists(st.integers(0, (1 << 62) - 1), min_size=1, max_size=20))
def test_bit_length_is_python_bit_length(values):
    assert [bit_length(v) for v in values] == [v.bit_length() for v in values]


@_FAST
@given(st.lists(st.tuples(st.integers(0, 48), st.integers(0, (1 << 48) - 1)), min_size=1, max_size=40))
def test_bit_writer_matches_bit_string(fields):
    fields = [(nb, v & ((1 << nb) - 1)) for nb, v in fields]
    total = sum(nb for nb, _ in fields)
    row = np.zeros(total // 16 + 2, dtype=np.int64)
    k, acc, nacc = 0, 0, 0
    for nb, v in fields:
        if nb <= 16:
            k, acc, nacc = push_field(row, k, acc, nacc, v, nb)
        else:
            k, acc, nacc = push_bits(row, k, acc, nacc, v, nb)
    used = flush_bits(row, k, acc, nacc)
    s = "".join(format(v, f"0{nb}b") if nb else "" for nb, v in fields)
    s += "0" * (-len(s) % 16)
    assert used == len(s) // 16
    np.testing.assert_array_equal(row[:used], [int(s[i:i + 16], 2) for i in range(0, len(s), 16)])


@_FAST
@given(configs(algorithm=4), st.integers(0, 2**32 - 1), st.sampled_from([8, 12, 16, 22]))
def test_float32_autoencoder_equals_int64_twin(cfg, seed, bits):
    rng = np.random.default_rng(seed)
    calq = rng.integers(0, 1 << bits, size=(200, 48))
    calq[rng.random(calq.shape) < 0.5] = 0
    calq[:3] = 0  # empty modules
    calq[3] = (1 << 22) - 1  # the largest sum
    np.testing.assert_array_equal(latent_code(calq, cfg), latent_code_reference(calq, cfg))


@_FAST
@given(st.integers(1, 13), st.integers(20, 600), st.integers(0, 400), st.integers(0, 30), st.integers(1, 299),
       st.integers(0, 2**32 - 1))
def test_ring_buffer_carries_state_across_batches(n_links, t1, t2, t3, cut, seed):
    """Two batches through one buffer state equal one batch, and the plain twin (full list shift)."""
    rng = np.random.default_rng(seed)
    n = 300
    words = rng.integers(0, 1 << 16, size=(n, 26)).astype(np.uint16)
    numw = rng.integers(1, 27, size=n)
    trunc = rng.integers(0, 1 << 16, size=(n, 2))
    frames = Frames(words=words, numw=numw, trunc=trunc, bits=numw * 16)
    whole = run_buffer(frames, n_links=n_links, t1=t1, t2=t2, t3=t3, state=BufferState())
    state = BufferState()
    parts = [run_buffer(Frames(words=words[s], numw=numw[s], trunc=trunc[s], bits=numw[s] * 16),
                        n_links=n_links, t1=t1, t2=t2, t3=t3, state=state) for s in (slice(0, cut), slice(cut, n))]
    np.testing.assert_array_equal(np.concatenate([p.tx for p in parts]), whole.tx)
    np.testing.assert_array_equal(np.concatenate([p.occupancy for p in parts]), whole.occupancy)
    rows, flags, wp, mem, lost = buffer_scan_reference(words.tolist(), numw.tolist(), trunc.tolist(), n_links, t1, t2, t3,
                                                 [0] * 400, 0)
    np.testing.assert_array_equal(whole.tx[:, :n_links], np.array(rows, dtype=np.int64))
    np.testing.assert_array_equal(whole.truncated, flags)
    np.testing.assert_array_equal(whole.lost_words, lost)
    assert state.write_pointer == wp
    np.testing.assert_array_equal(state.contents, mem)
