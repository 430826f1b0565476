"""Import an HPE X-TIME row table (``model_*.npy``) into an ACAM table.

Layout, from HPE X-TIME ``cycle_accurate/tests/utils.py`` ``readModel`` and
``configure.py``: one row per CAM row, ``2 * n_features + 3`` columns
``[lo_0, hi_0, lo_1, hi_1, ..., lo_{F-1}, hi_{F-1}, leaf, class_id, tree_id]``;
``NaN`` in a bound means "don't care" for that side (``np.isnan`` gives the
``acamXLow/acamXHigh`` flags); a row matches when ``lo <= x < hi`` on every
feature (``cycle_accurate/src/acam.cc`` ``MatchRow::isMatch``); ``tree_id``
counts trees *within* a class (``numTreePerClass = max(tree_id) + 1``).

Bounds may be real numbers; on integer codes ``lo <= x`` is ``x >= ceil(lo)``
and ``x < hi`` is ``x < ceil(hi)``, clipped to [0, 2**n_bits]. Rows that no code
can match (an empty interval, e.g. X-TIME's zero padding rows) are dropped with
a warning that counts them. Trees are numbered tree-major (tree 0 of every
class, then tree 1, ...), rows keep their file order within a tree (which the
``"first"`` multiple-match policy uses). X-TIME has no base value: ``base``
(per class) defaults to 0.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from firmware_models.acam.import_sklearn import DEFAULT_LEAF_TYPE
from firmware_models.acam.quantize import InputQuantizer
from firmware_models.acam.table import AcamTable
from firmware_models.acam.tabularize import _warn_out_of_range, to_raw
from firmware_models.errors import ModelFormatError
from firmware_models.fixed.types import FixedType

__all__ = ["from_xtime"]


def from_xtime(
    src,
    n_features: int | None = None,
    n_bits: int = 8,
    *,
    leaf_type=DEFAULT_LEAF_TYPE,
    base=0.0,
    quantizer: InputQuantizer | None = None,
) -> AcamTable:
    """Tabularize an X-TIME row table (path to ``.npy`` or an array); see the module docstring."""
    if isinstance(src, (str, Path)):
        path = Path(src)
        if not path.is_file():
            msg = f"X-TIME table {str(path)!r} not found"
            raise ModelFormatError(msg)
        try:
            arr = np.load(path, allow_pickle=False)
        except ValueError as err:
            msg = f"{path} is not a plain numeric .npy file ({err})"
            raise ModelFormatError(msg) from None
    else:
        arr = np.asarray(src)
    if arr.ndim != 2 or arr.shape[1] < 5 or (arr.shape[1] - 3) % 2:
        msg = f"X-TIME table must be 2-D with 2 * n_features + 3 columns, got shape {arr.shape}"
        raise ModelFormatError(msg)
    arr = arr.astype(np.float64)
    f = (arr.shape[1] - 3) // 2
    if n_features is not None and int(n_features) != f:
        msg = f"X-TIME table has {f} features ({arr.shape[1]} columns) but n_features={n_features}"
        raise ModelFormatError(msg)
    leaf, cls, tree = arr[:, -3], arr[:, -2], arr[:, -1]
    if np.isnan(arr[:, -3:]).any() or np.any(cls != np.floor(cls)) or np.any(tree != np.floor(tree)) or cls.min() < 0 or tree.min() < 0:
        msg = "X-TIME table: leaf, class_id and tree_id columns must be finite, ids non-negative integers"
        raise ModelFormatError(msg)
    top = 1 << n_bits
    lo_f, hi_f = arr[:, 0 : 2 * f : 2], arr[:, 1 : 2 * f : 2]
    lo = np.where(np.isnan(lo_f), 0, np.clip(np.ceil(np.nan_to_num(lo_f, nan=0.0)), 0, top)).astype(np.int64)
    hi = np.where(np.isnan(hi_f), top, np.clip(np.ceil(np.nan_to_num(hi_f, nan=0.0)), 0, top)).astype(np.int64)
    keep = np.all(lo < hi, axis=1)
    if not keep.all():
        warnings.warn(
            f"X-TIME table: dropped {int((~keep).sum())} of {keep.size} rows that no {n_bits}-bit code can match "
            "(empty interval, e.g. padding rows)",
            stacklevel=2,
        )
    lo, hi, leaf, cls, tree = lo[keep], hi[keep], leaf[keep], cls[keep].astype(np.int64), tree[keep].astype(np.int64)
    n_classes = int(cls.max()) + 1
    order = np.lexsort((np.arange(cls.size), cls, tree))  # tree-major, then class, file order within
    lo, hi, leaf, cls, tree = lo[order], hi[order], leaf[order], cls[order], tree[order]
    pairs = tree * n_classes + cls
    _, tree_id = np.unique(pairs, return_inverse=True)
    t = FixedType.parse(leaf_type)
    base_f = np.broadcast_to(np.asarray(base, dtype=np.float64), (n_classes,)).copy()
    _warn_out_of_range(np.concatenate([leaf, base_f]), t)
    q = quantizer if quantizer is not None else InputQuantizer.identity(f, n_bits)
    return AcamTable(
        n_bits=n_bits,
        lo=lo,
        hi=hi,
        care=(lo > 0) | (hi < top),
        leaf_raw=to_raw(leaf, t),
        leaf_float=leaf,
        tree_id=tree_id.astype(np.int32),
        class_id=cls.astype(np.int32),
        n_classes=n_classes,
        base_raw=to_raw(base_f, t),
        base_float=base_f,
        leaf_type=t,
        quantizer=q,
        split_convention="[lo,hi)",
        float_sum="float64_sequential",
        source={"library": "xtime", "dropped_rows": int((~keep).sum()), "xtime_tree_id": np.unique(pairs).tolist()},
    )
