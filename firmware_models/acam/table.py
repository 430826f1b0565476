"""The one internal description of a tabularized tree ensemble: :class:`AcamTable`.

Every importer (:mod:`~firmware_models.acam.import_sklearn`,
:mod:`~firmware_models.acam.import_xgboost`, :mod:`~firmware_models.acam.import_conifer`,
:mod:`~firmware_models.acam.import_xtime`) produces an :class:`AcamTable`; the
evaluators (:mod:`~firmware_models.acam.evaluate`, :mod:`~firmware_models.acam.physical`)
and :mod:`~firmware_models.acam.io` consume only this.

One row per root-to-leaf path (one CAM row). Per row and feature an integer
interval ``[lo, hi)`` over the unsigned ``n_bits`` input codes, with an explicit
don't-care mask ``care`` (a don't-care cell has ``lo = 0, hi = 2**n_bits``).
A row matches an input ``x`` when ``lo <= x < hi`` on every cared feature
(X-TIME's match rule, ``cycle_accurate/src/acam.cc`` ``MatchRow::isMatch``).
Rows are grouped by ``tree_id`` (ascending, contiguous); each tree adds to one
output ``class_id``. Leaf values are kept twice: ``leaf_raw`` (int64 mantissas
of ``leaf_type``, what the SRAM holds and the adder tree sums) and
``leaf_float`` (float64, the exact term the source library adds, for the
library-order reference sum ``float_sum``).

Conventions recorded as data (never assumed): ``split_convention`` of the source
("<=": sklearn / LightGBM / conifer-sklearn; "<": XGBoost; "[lo,hi)": X-TIME
rows), the input quantizer, the fixed-point type, and ``float_sum`` (the
library's float accumulation order, see :data:`FLOAT_SUMS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from firmware_models.acam.quantize import InputQuantizer
from firmware_models.errors import ModelFormatError, UnsupportedTypeError
from firmware_models.fixed.types import FixedType

__all__ = ["AcamTable", "MatchStats", "FLOAT_SUMS", "SCORE_SUMS", "SPLIT_CONVENTIONS"]

#: Library-order float reference sums (``AcamTable.float_sum``):
#: ``float64_sequential``: acc = base; acc += leaf for each tree in tree_id order, float64
#: (sklearn GradientBoosting ``predict_stages``: ``out[i, k] += scale * value[node]``,
#: sklearn/ensemble/_gradient_boosting.pyx L73; DecisionTreeRegressor with base 0).
#: ``float64_mean``: acc = 0; acc += leaf per tree; acc /= trees per class (sklearn
#: ``ForestRegressor.predict``: ``_accumulate_prediction`` then ``y_hat /= len(estimators_)``,
#: sklearn/ensemble/_forest.py L1079-1083, single-threaded order).
#: ``float32_sequential``: acc = float32(base); acc = float32(acc + leaf) per tree (XGBoost CPU
#: predictor: predictions initialised to the base margin, trees added in order in float).
FLOAT_SUMS = ("float64_sequential", "float64_mean", "float32_sequential")
#: Order of the fixed-point score sum (``AcamTable.score_sum``); it only matters when
#: ``leaf_type`` saturates (AP_SAT*), WRAP sums being order-independent.
#: ``exact``: exact int64 sum of base and leaves, one overflow cast at the end;
#: ``sequential``: ``acc = base; acc = (score_t)(acc + leaf)`` tree by tree (conifer cpp backend,
#: ``std::accumulate`` from ``init_predict``: conifer/backends/cpp/include/conifer.h ``BDT::decision_function``);
#: ``tree``: leaves of a class reduced by a balanced adder tree, each node cast to ``score_t``
#: (left half = largest power of two below n), then ``(score_t)(base + that)`` (conifer xilinxhls
#: backend: firmware/BDT_unrolled.h ``reduce`` and ``BDT::decision_function``).
SCORE_SUMS = ("exact", "sequential", "tree")
SPLIT_CONVENTIONS = ("<=", "<", "[lo,hi)")


@dataclass
class MatchStats:
    """Per-tree match statistics of the last evaluation (arrays of shape ``(n_trees,)``).

    ``false_matches``: (event, row) pairs that matched but should not (physical mode);
    ``misses``: events whose ideal row did not match; ``multiple_matches``: events with
    two or more matching rows; ``no_match``: events with no matching row.
    """

    n_events: int
    false_matches: np.ndarray
    misses: np.ndarray
    multiple_matches: np.ndarray
    no_match: np.ndarray

    @classmethod
    def zeros(cls, n_trees: int, n_events: int = 0) -> MatchStats:
        z = lambda: np.zeros(n_trees, dtype=np.int64)  # noqa: E731
        return cls(n_events, z(), z(), z(), z())

    def totals(self) -> dict[str, int]:
        return {
            "n_events": int(self.n_events),
            "false_matches": int(self.false_matches.sum()),
            "misses": int(self.misses.sum()),
            "multiple_matches": int(self.multiple_matches.sum()),
            "no_match": int(self.no_match.sum()),
        }

    def __iadd__(self, other: MatchStats) -> MatchStats:
        self.n_events += other.n_events
        for name in ("false_matches", "misses", "multiple_matches", "no_match"):
            getattr(self, name)[...] += getattr(other, name)
        return self


def _as(a, dtype, shape, name) -> np.ndarray:
    arr = np.ascontiguousarray(a, dtype=dtype)
    if arr.shape != shape:
        msg = f"AcamTable.{name} must have shape {shape}, got {arr.shape}"
        raise ModelFormatError(msg)
    return arr


@dataclass(eq=False)
class AcamTable:
    """A tabularized tree ensemble (see the module docstring for the meaning of each field)."""

    n_bits: int
    lo: np.ndarray  # (n_rows, n_features) int64
    hi: np.ndarray  # (n_rows, n_features) int64
    care: np.ndarray  # (n_rows, n_features) bool
    leaf_raw: np.ndarray  # (n_rows,) int64, mantissa of leaf_type
    leaf_float: np.ndarray  # (n_rows,) float64
    tree_id: np.ndarray  # (n_rows,) int32, ascending, 0..n_trees-1
    class_id: np.ndarray  # (n_rows,) int32
    n_classes: int
    base_raw: np.ndarray  # (n_classes,) int64
    base_float: np.ndarray  # (n_classes,) float64
    leaf_type: FixedType
    quantizer: InputQuantizer
    split_convention: str
    float_sum: str = "float64_sequential"
    norm: float = 1.0  # conifer's final ``values *= (U) norm``
    score_sum: str = "exact"  # order of the fixed-point sum when leaf_type saturates (SCORE_SUMS)
    leaf_node: np.ndarray | None = None  # (n_rows,) node id of the leaf in its source tree, -1 unknown
    source: dict[str, Any] = field(default_factory=dict)  # library, versions, notes
    stats: MatchStats | None = field(default=None, repr=False)  # of the last predict_raw call

    def __post_init__(self) -> None:
        self.n_bits = int(self.n_bits)
        if not 1 <= self.n_bits <= 31:
            msg = f"AcamTable n_bits must be in 1..31, got {self.n_bits}"
            raise UnsupportedTypeError(msg)
        lo = np.ascontiguousarray(self.lo, dtype=np.int64)
        if lo.ndim != 2:
            msg = f"AcamTable.lo must be 2-D (n_rows, n_features), got shape {lo.shape}"
            raise ModelFormatError(msg)
        r, f = lo.shape
        self.lo = lo
        self.hi = _as(self.hi, np.int64, (r, f), "hi")
        self.care = _as(self.care, np.bool_, (r, f), "care")
        self.leaf_raw = _as(self.leaf_raw, np.int64, (r,), "leaf_raw")
        self.leaf_float = _as(self.leaf_float, np.float64, (r,), "leaf_float")
        self.tree_id = _as(self.tree_id, np.int32, (r,), "tree_id")
        self.class_id = _as(self.class_id, np.int32, (r,), "class_id")
        self.n_classes = int(self.n_classes)
        self.base_raw = _as(self.base_raw, np.int64, (self.n_classes,), "base_raw")
        self.base_float = _as(self.base_float, np.float64, (self.n_classes,), "base_float")
        self.leaf_node = (
            np.full(r, -1, dtype=np.int64) if self.leaf_node is None else _as(self.leaf_node, np.int64, (r,), "leaf_node")
        )
        self.leaf_type = FixedType.parse(self.leaf_type) if isinstance(self.leaf_type, str) else self.leaf_type
        self._cache: dict = {}  # derived structures (compiled walk, physical levels), built lazily
        self._validate(r, f)

    def _validate(self, r: int, f: int) -> None:
        top = 1 << self.n_bits
        if r == 0:
            msg = "AcamTable has no rows; an ensemble needs at least one leaf"
            raise ModelFormatError(msg)
        if self.quantizer.n_features != f or self.quantizer.n_bits != self.n_bits:
            msg = (
                f"AcamTable quantizer is for {self.quantizer.n_features} features x {self.quantizer.n_bits} bits, "
                f"table has {f} features x {self.n_bits} bits"
            )
            raise ModelFormatError(msg)
        if np.any(self.lo < 0) or np.any(self.hi > top) or np.any(self.lo >= self.hi):
            msg = f"AcamTable intervals must satisfy 0 <= lo < hi <= 2**n_bits = {top} on every cell (empty rows removed)"
            raise ModelFormatError(msg)
        dc = ~self.care
        if np.any(self.lo[dc] != 0) or np.any(self.hi[dc] != top):
            msg = "AcamTable don't-care cells must hold the full range lo = 0, hi = 2**n_bits"
            raise ModelFormatError(msg)
        if np.any(np.diff(self.tree_id) < 0) or self.tree_id[0] != 0:
            msg = "AcamTable rows must be grouped by tree_id, ascending from 0"
            raise ModelFormatError(msg)
        ids = np.unique(self.tree_id)
        if not np.array_equal(ids, np.arange(ids.size)):
            msg = "AcamTable tree ids must be 0..n_trees-1 without gaps"
            raise ModelFormatError(msg)
        if np.any(self.class_id < 0) or np.any(self.class_id >= self.n_classes):
            msg = f"AcamTable class ids must be in 0..{self.n_classes - 1}"
            raise ModelFormatError(msg)
        start = self.tree_start
        if np.any(self.class_id[start[:-1]] != self.class_id[start[1:] - 1]) or np.any(
            np.diff(self.class_id)[np.diff(self.tree_id) == 0] != 0
        ):
            msg = "AcamTable: all rows of one tree must have the same class_id"
            raise ModelFormatError(msg)
        if self.split_convention not in SPLIT_CONVENTIONS:
            msg = f"AcamTable split_convention must be one of {SPLIT_CONVENTIONS}, got {self.split_convention!r}"
            raise ModelFormatError(msg)
        if self.float_sum not in FLOAT_SUMS:
            msg = f"AcamTable float_sum must be one of {FLOAT_SUMS}, got {self.float_sum!r}"
            raise ModelFormatError(msg)
        if self.score_sum not in SCORE_SUMS:
            msg = f"AcamTable score_sum must be one of {SCORE_SUMS}, got {self.score_sum!r}"
            raise ModelFormatError(msg)
        if not self.leaf_type.fits_int64 or self.leaf_type.width > 62:
            msg = f"AcamTable leaf_type {self.leaf_type} is wider than 62 bits; the int64 adder tree cannot hold it"
            raise UnsupportedTypeError(msg)
        if self.leaf_type.overflow == "WRAP" and self.leaf_type.sat_bits:
            msg = f"AcamTable leaf_type {self.leaf_type}: WRAP with N > 0 saturation bits is not supported"
            raise UnsupportedTypeError(msg)
        t = self.leaf_type
        for name, arr in (("leaf_raw", self.leaf_raw), ("base_raw", self.base_raw)):
            if arr.size and (arr.min() < t.min_raw or arr.max() > t.max_raw):
                msg = f"AcamTable.{name} holds values outside {t}"
                raise ModelFormatError(msg)

    # ---------------------------------------------------------------- shape
    @property
    def n_rows(self) -> int:
        return int(self.lo.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.lo.shape[1])

    @property
    def n_trees(self) -> int:
        return int(self.tree_id[-1]) + 1

    @property
    def tree_start(self) -> np.ndarray:
        """(n_trees + 1,) row offsets: tree t owns rows ``tree_start[t]:tree_start[t+1]``."""
        if "tree_start" not in self._cache:
            counts = np.bincount(self.tree_id, minlength=int(self.tree_id[-1]) + 1)
            start = np.zeros(counts.size + 1, dtype=np.int64)
            np.cumsum(counts, out=start[1:])
            self._cache["tree_start"] = start
        return self._cache["tree_start"]

    @property
    def tree_class(self) -> np.ndarray:
        """(n_trees,) class id of each tree."""
        return self.class_id[self.tree_start[:-1]]

    # ------------------------------------------------------------ evaluation
    def quantize_inputs(self, x_float) -> np.ndarray:
        """Float features -> int64 codes with this table's :class:`InputQuantizer`."""
        return self.quantizer.quantize(x_float)

    def predict_raw(
        self,
        x_int,
        mode: str = "ideal",
        *,
        sigma: float = 0.0,
        seed: int = 0,
        multi_match: str = "sum",
        no_match: str = "zero",
    ) -> np.ndarray:
        """Raw integer outputs (n_events, n_classes) int64, mantissas of :attr:`leaf_type`.

        ``mode``: ``"ideal"`` (integer interval compare), ``"nested"`` (4-bit analog
        slices, most significant first, equality carried) or ``"physical"`` (nested
        with seeded per-cell threshold variation of ``sigma`` cell LSB). Per-tree match
        statistics of this call are left in :attr:`stats`.
        """
        from firmware_models.acam.evaluate import evaluate

        raw, stats = evaluate(self, x_int, mode=mode, sigma=sigma, seed=seed, multi_match=multi_match, no_match=no_match)
        self.stats = stats
        return raw

    def predict(self, x_int, mode: str = "ideal", **kwargs) -> np.ndarray:
        """Float64 outputs (n_events, n_classes): :meth:`predict_raw` times the LSB of :attr:`leaf_type`."""
        return self.predict_raw(x_int, mode, **kwargs) * (2.0 ** -self.leaf_type.fractional)

    def predict_float_like(self, x_int) -> np.ndarray:
        """The source library's own float prediction (raw score / margin), bit for bit, from the
        matched rows and ``leaf_float`` summed in the library's order (:data:`FLOAT_SUMS`).
        Shape (n_events,) for one class, else (n_events, n_classes)."""
        from firmware_models.acam.evaluate import float_like

        return float_like(self, x_int)

    def match_rows(self, x_int) -> np.ndarray:
        """(n_events, n_trees) index of the row each tree matches (ideal mode), -1 for none."""
        from firmware_models.acam.evaluate import match_rows

        return match_rows(self, x_int)

    def summary(self) -> dict[str, Any]:
        """Plain-data description for run summaries and ``--json`` output."""
        return {
            "n_rows": self.n_rows,
            "n_trees": self.n_trees,
            "n_features": self.n_features,
            "n_classes": self.n_classes,
            "n_bits": self.n_bits,
            "leaf_type": str(self.leaf_type),
            "split_convention": self.split_convention,
            "float_sum": self.float_sum,
            "cared_cells": int(self.care.sum()),
            "source": dict(self.source),
        }
