"""Test inputs for the ACAM exactness tests: every threshold probed from both sides."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["edge_inputs"]


def edge_inputs(features, thresholds, *, n_bits: int, n_features: int, seed: int = 1, n_random: int = 2000) -> np.ndarray:
    """Random n-bit codes plus, per threshold, rows with floor(t)-1, floor(t), ceil(t), ceil(t)+1 on its feature."""
    rng = np.random.default_rng(seed)
    top = 1 << n_bits
    rows = [rng.integers(0, top, size=(n_random, n_features))]
    for f, t in zip(features, thresholds):
        if f < 0:
            continue
        vals = sorted(v for v in {math.floor(t) - 1, math.floor(t), math.ceil(t), math.ceil(t) + 1} if 0 <= v < top)
        base = rng.integers(0, top, size=(len(vals), n_features))
        base[:, f] = vals
        rows.append(base)
    return np.concatenate(rows).astype(np.int64)
