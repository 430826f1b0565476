"""The five ECON-T data-reduction algorithms, pure per-BX functions over (n_bx, 48) arrays.

Each takes the calibrated charges ``calq`` (int64, 22 bit) and returns plain
arrays that :mod:`firmware_models.econt.formatter` packs into words:

- :mod:`.threshold_sum` (TS, algorithm 0): cells above a per-cell threshold;
- :mod:`.stc` (STC, algorithm 1): 2x2 / 4x4 super-trigger-cell sums and maxima;
- :mod:`.best_choice` (BC, algorithm 2): the N largest cells by a Batcher sort;
- :mod:`.repeater` (RPT, algorithm 3): every cell, re-encoded;
- :mod:`.autoencoder` (AE, algorithm 4): a 16-value latent code and the module sum.
"""

from __future__ import annotations

from .best_choice import BestChoiceOutput, best_choice
from .repeater import repeater
from .stc import StcOutput, super_trigger_cells
from .threshold_sum import ThresholdSumOutput, threshold_sum

__all__ = [
    "BestChoiceOutput",
    "StcOutput",
    "ThresholdSumOutput",
    "best_choice",
    "repeater",
    "super_trigger_cells",
    "threshold_sum",
]
