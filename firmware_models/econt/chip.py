"""The whole ECON-T: e-link words in, 13 output-link words out, per BX, with state.

Data path (the stateless blocks are vectorized over the whole batch of BX):
:mod:`.elinks` (split words, BX counter, mux) -> :mod:`.codec` (4E3M decode) ->
:mod:`.calibration` (these three fused in :mod:`.frontend`) -> one algorithm of :mod:`.algorithms` -> :mod:`.formatter`
(packets; link-reset windows from :mod:`.links`) -> :mod:`.buffer` (the one
sequential scan) -> output words. :meth:`EcontChip.run` takes the fused kernels of
:mod:`.fused` / :mod:`.fused_bc` from words to packets (one pass per BX);
:meth:`EcontChip.reference_frames` is the block chain they are tested against. State kept between :meth:`EcontChip.run` calls:
the BX counter (orbit reset at 3564, or at a ``0x9`` header), the buffer memory
and write pointer, and open link-reset windows; :meth:`EcontChip.reset` clears it.

Output row ``b`` belongs to input row ``b`` (the test vectors' alignment, see
:mod:`.latency`); the chip's real delay is :attr:`EcontChip.latency_bx`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from firmware_models.errors import UnsupportedTypeError

from . import formatter as fmt
from .algorithms import best_choice, repeater, super_trigger_cells, threshold_sum
from .algorithms.autoencoder import AeParameters, ae_parameters, autoencoder, latent_code_reference, module_sum
from .algorithms.best_choice import TC_PER_LINK
from .buffer import BufferOutput, BufferState, run_buffer
from .calibration import calibrate
from .codec import decode_4e3m
from .elinks import HEADER_NORMAL, HEADER_SYNC, _as_words, apply_mux, bx_counter, bx_tag5, header4
from .formatter import ae_bits_per_links
from .frontend import front_end
from .fused import (
    ae_bit_selection,
    ae_pack_kernel,
    front_end_tables,
    new_frames,
    rpt_frames_kernel,
    stc_frames_kernel,
    stc_parameters,
    ts_frames_kernel,
)
from .fused_bc import bc_frames_kernel, pruned_comparators
from .latency import block_latencies, total_latency_bx
from .links import ECONT_RESET_BX, ECONT_RESET_OFFSET, ROCT_ZERO_BX, ResetState, idle_word, window_mask
from .registers import MAX_LINKS_OUT, N_ELINKS_IN, Algorithm, EcontConfig

__all__ = ["ChipOutput", "EcontChip", "run_chip"]


@dataclass(frozen=True)
class ChipOutput:
    tx: np.ndarray  # (n, 13) uint32 output-link words
    bx: np.ndarray  # (n,) the chip's BX counter
    packet_bits: np.ndarray  # (n,) bits of the formatter packet (0 inside a link-reset window)
    packet_words: np.ndarray  # (n,) 16-bit words offered to the buffer
    truncated: np.ndarray  # (n,) bool
    occupancy: np.ndarray  # (n,) buffer words after read-out
    condition: np.ndarray  # (n,) buffer condition 1..4
    unexpected_headers: int  # input rows whose e-link 0 header was neither 0x9 nor 0xA
    lost_words: np.ndarray | None = None  # (n,) packet words written past the buffer's top (lost)
    latent: np.ndarray | None = None  # (n, 16) autoencoder latent codes, when algorithm 4


@dataclass
class EcontChip:
    config: EcontConfig
    _bx_next: int = 0
    _buffer: BufferState = field(default_factory=BufferState)
    _resets: ResetState = field(default_factory=ResetState)
    _tables: tuple = field(init=False, repr=False)
    _ae: AeParameters | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        cfg = self.config
        if cfg.algorithm == Algorithm.SUPER_TRIGGER_CELL and cfg.stc_type not in fmt.STC_LAYOUT:
            msg = (
                f"STC type {cfg.stc_type} (ECON-T production) has no public packet layout to model; "
                f"supported STC types are {sorted(fmt.STC_LAYOUT)}"
            )
            raise UnsupportedTypeError(msg)
        self._tables = front_end_tables(cfg)
        if cfg.algorithm == Algorithm.AUTOENCODER:
            self._ae = ae_parameters(cfg)

    @property
    def latency_bx(self) -> int:
        return total_latency_bx(self.config.algorithm)

    @property
    def block_latencies(self) -> dict[str, int]:
        return block_latencies(self.config.algorithm)

    @property
    def buffer_high_water(self) -> int:
        return self._buffer.high_water

    def reset(self) -> None:
        self._bx_next = 0
        self._buffer = BufferState()
        self._resets = ResetState()

    def calibrated_charges(self, codes_mux_in: np.ndarray) -> np.ndarray:
        """Mux, decode and calibrate (n, 48) input codes with the plain blocks (the twin of
        :mod:`.frontend`, which :meth:`run` uses)."""
        cfg = self.config
        return calibrate(decode_4e3m(apply_mux(codes_mux_in, cfg.mux), cfg.dropped_bits), cfg.cal)

    def run(self, rx_words: np.ndarray, *, link_reset_roct=None, link_reset_econt=None) -> ChipOutput:
        """Process consecutive BX of (n, 12) input words (optional per-BX fast-command flags)."""
        cfg = self.config
        words = _as_words(rx_words, N_ELINKS_IN, "ECON-T input words")
        headers = (words[:, 0] >> 28).astype(np.int64)
        n = words.shape[0]
        bx, self._bx_next = bx_counter(headers, self._bx_next)
        roct, self._resets.roct_remaining = window_mask(
            link_reset_roct, n, start=0, length=ROCT_ZERO_BX, carried=self._resets.roct_remaining)
        tag5 = bx_tag5(bx)
        frames, latent = self.fused_frames(words, roct, tag5)
        offset = ECONT_RESET_OFFSET.get(cfg.algorithm, 0)
        in_reset, self._resets.econt_remaining = window_mask(
            link_reset_econt, n, start=1 + offset, length=ECONT_RESET_BX, carried=self._resets.econt_remaining)
        frames = _apply_reset(frames, in_reset, idle_word(tag5, cfg.tx_sync_word), cfg.n_links)
        out: BufferOutput = run_buffer(frames, n_links=cfg.n_links, t1=cfg.buff_t1, t2=cfg.buff_t2, t3=cfg.buff_t3,
                                       state=self._buffer)
        unexpected = int(np.count_nonzero((headers != HEADER_SYNC) & (headers != HEADER_NORMAL)))
        n_lost = int(out.lost_words.sum())
        if n_lost:
            first = int(np.flatnonzero(out.lost_words)[0])
            warnings.warn(
                f"ECON-T buffer overflow: {n_lost} packet words written past the {self._buffer.contents.shape[0]}-word "
                f"memory were lost (first at input row {first}); buff_t1 = {cfg.buff_t1} lets the buffer fill past its "
                f"top, set buff_t1 <= {self._buffer.contents.shape[0]} to truncate instead (ChipOutput.lost_words counts them)",
                RuntimeWarning, stacklevel=2)
        return ChipOutput(tx=out.tx, bx=bx, packet_bits=frames.bits, packet_words=frames.numw, truncated=out.truncated,
                          occupancy=out.occupancy, condition=out.condition, unexpected_headers=unexpected, latent=latent,
                          lost_words=out.lost_words)

    def fused_frames(self, words: np.ndarray, zero_rows: np.ndarray, tag5: np.ndarray
                     ) -> tuple[fmt.Frames, np.ndarray | None]:
        """Formatter frames (and AE latent codes) of validated (n, 12) words, by the fused kernels."""
        cfg = self.config
        algo = cfg.algorithm
        drop = cfg.effective_drop_lsb
        n = words.shape[0]
        zero = np.ascontiguousarray(zero_rows, dtype=np.bool_)
        f = new_frames(n)
        if algo == Algorithm.AUTOENCODER:
            latent, mod_sum = autoencoder(front_end(words, cfg, zero), cfg, self._ae)
            n_bits = ae_bits_per_links(cfg.n_links)
            sel_lat, sel_bit = ae_bit_selection(cfg.ae_mask, n_bits)
            ae_pack_kernel(latent, mod_sum, tag5, sel_lat, sel_bit, f.words, f.numw, f.bits)
            return f, latent
        fe = (words, zero, *self._tables)
        if algo == Algorithm.THRESHOLD_SUM:
            thr = np.asarray(cfg.threshold, dtype=np.int64)
            ts_frames_kernel(*fe, thr, drop, tag5, bool(cfg.use_sum), cfg.idle_word_pattern, cfg.map_address0_lsb,
                             f.words, f.numw, f.trunc, f.bits)
        elif algo == Algorithm.BEST_CHOICE:
            n_tc = TC_PER_LINK[cfg.n_links]
            ci, cj = pruned_comparators(n_tc)
            n_words = 2 * cfg.n_links if cfg.n_links < MAX_LINKS_OUT else 25
            bc_frames_kernel(*fe, drop, header4(tag5), ci, cj, n_tc, bool(cfg.use_sum), cfg.map_address0_lsb, n_words, f.words, f.numw, f.bits)
        elif algo == Algorithm.REPEATER:
            rpt_frames_kernel(*fe, drop, tag5, 2 * cfg.n_links, f.words, f.numw, f.bits)
        else:
            stc = stc_parameters(cfg.stc_type, cfg.n_links, drop)
            if stc is None:  # the type sends nothing on this many links
                return fmt.Frames(words=np.zeros((n, fmt.MAX_WORDS), dtype=np.int64), numw=np.full(n, 2, dtype=np.int64),
                                  trunc=np.zeros((n, 2), dtype=np.int64), bits=np.zeros(n, dtype=np.int64)), None
            stc_frames_kernel(*fe, header4(tag5), *stc, f.words, f.numw, f.bits)
        return f, None

    def reference_frames(self, words: np.ndarray, zero_rows: np.ndarray, tag5: np.ndarray
                         ) -> tuple[fmt.Frames, np.ndarray | None]:
        """The plain block chain (front end -> algorithm -> formatter), twin of the fused kernels."""
        calq = front_end(np.asarray(words, dtype=np.int64), self.config, np.asarray(zero_rows, dtype=np.bool_))
        return self._frames(calq, np.asarray(tag5, dtype=np.int64))

    def _frames(self, calq: np.ndarray, tag5: np.ndarray) -> tuple[fmt.Frames, np.ndarray | None]:
        cfg = self.config
        drop = cfg.effective_drop_lsb
        algo = cfg.algorithm
        if algo == Algorithm.THRESHOLD_SUM:
            ts = threshold_sum(calq, cfg.threshold, drop)
            return fmt.format_threshold_sum(ts, tag5, use_sum=cfg.use_sum, tx_sync_word=cfg.idle_word_pattern,
                                            map_address0_lsb=cfg.map_address0_lsb), None
        if algo == Algorithm.SUPER_TRIGGER_CELL:
            stc = super_trigger_cells(calq, drop)
            return fmt.format_stc(stc, header4(tag5), stc_type=cfg.stc_type, n_links=cfg.n_links), None
        if algo == Algorithm.BEST_CHOICE:
            bc = best_choice(calq, drop)
            return fmt.format_best_choice(bc, header4(tag5), n_links=cfg.n_links, use_sum=cfg.use_sum,
                                          map_address0_lsb=cfg.map_address0_lsb), None
        if algo == Algorithm.REPEATER:
            return fmt.format_repeater(repeater(calq, drop), tag5, n_links=cfg.n_links), None
        latent, mod_sum = latent_code_reference(calq, cfg), module_sum(calq)
        return fmt.format_autoencoder(latent, mod_sum, tag5, ae_mask=cfg.ae_mask, n_links=cfg.n_links), latent


def _apply_reset(frames: fmt.Frames, in_reset: np.ndarray, idle: np.ndarray, n_links: int) -> fmt.Frames:
    if not in_reset.any():
        return frames
    words = np.where(in_reset[:, None], idle[:, None], frames.words)
    numw = np.where(in_reset, 2 * n_links, frames.numw)
    trunc = np.where(in_reset[:, None], 0, frames.trunc)
    bits = np.where(in_reset, 0, frames.bits)
    return fmt.Frames(words=words, numw=numw, trunc=trunc, bits=bits)


def run_chip(config: EcontConfig, rx_words: np.ndarray, **kwargs) -> ChipOutput:
    """One-shot helper: a fresh chip over ``rx_words``."""
    return EcontChip(config).run(rx_words, **kwargs)

