"""Per-block latencies of the ECON-T in BX, and how the test vectors align to them.

The chip's output for the data of BX ``b`` leaves on the links at BX ``b + L``
with ``L = front end + algorithm + formatter + buffer`` (:func:`total_latency_bx`).
Numbers: front end 11, algorithm (TS 1, STC 1, BC 2, RPT 1, AE 2), formatter
(TS 1, STC 1, BC 3, RPT 1, AE 2), buffer 1. Source:
cmantill/ECONT_Emulator@357cfef ``RunFromYamlInput.py`` (``front_Latency=11``,
``AlgorithmRoutine``/``FormatterRoutine`` return values, ``+ 1`` for the buffer).

Vector alignment (:data:`VECTOR_ALIGNMENT_BX` = 0): the reference emulator
computes ``latency`` but never applies it; row ``b`` of ``testOutput.csv`` is the
buffer read-out in the same step that consumed row ``b`` of ``testInput.csv``. So
the model's output row ``b`` is compared with vector row ``b`` (no shift); a
silicon capture is aligned by shifting it back ``total_latency_bx`` BX.
"""

from __future__ import annotations

from .registers import Algorithm

__all__ = ["FRONT_END_BX", "BUFFER_BX", "ALGORITHM_BX", "FORMATTER_BX", "VECTOR_ALIGNMENT_BX", "block_latencies", "total_latency_bx"]

FRONT_END_BX = 11
BUFFER_BX = 1
ALGORITHM_BX = {Algorithm.THRESHOLD_SUM: 1, Algorithm.SUPER_TRIGGER_CELL: 1, Algorithm.BEST_CHOICE: 2,
                Algorithm.REPEATER: 1, Algorithm.AUTOENCODER: 2}
FORMATTER_BX = {Algorithm.THRESHOLD_SUM: 1, Algorithm.SUPER_TRIGGER_CELL: 1, Algorithm.BEST_CHOICE: 3,
                Algorithm.REPEATER: 1, Algorithm.AUTOENCODER: 2}
VECTOR_ALIGNMENT_BX = 0


def block_latencies(algorithm: Algorithm) -> dict[str, int]:
    a = Algorithm(algorithm)
    return {"front_end": FRONT_END_BX, "algorithm": ALGORITHM_BX[a], "formatter": FORMATTER_BX[a], "buffer": BUFFER_BX}


def total_latency_bx(algorithm: Algorithm) -> int:
    return sum(block_latencies(algorithm).values())
