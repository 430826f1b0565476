"""Best-choice (algorithm 2): the largest cells of the module, by a Batcher sort.

Charges are ``calq >> drop_lsb`` clamped to 18 bits (262143), then sorted in
descending order by Batcher's merge-exchange network (Knuth, TAOCP vol. 3,
Algorithm 5.2.2M) on 48 inputs: a fixed list of compare-exchange steps
``(i, j)``, ``i < j``, that swap when ``a[i] < a[j]`` (equal values are never
swapped, which fixes the address order on ties). The formatter keeps the first
``TC_PER_LINK[n_links]`` addresses.
Sources: cmantill/ECONT_Emulator@357cfef ``ASICBlocks/bestchoice.py`` (``sorter``,
the network actually used; ``mergers=False``), ``ASICBlocks/Algorithms.py``
(``BestChoice``: shift and clamp), ``Utils/linkAllocation.py`` (``tcPerLink``, from
CMSSW L1THGCal hgcalConcentratorProducer_cfi.py).

:func:`sort_network` is the numba kernel; :func:`sort_network_reference` its
plain-Python twin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_models.jit import jit

__all__ = [
    "BestChoiceOutput",
    "CHARGE_CLAMP",
    "TC_PER_LINK",
    "COMPARATORS",
    "batcher_comparators",
    "best_choice",
    "sort_network",
    "sort_network_reference",
]

CHARGE_CLAMP = (1 << 18) - 1
#: cells kept for 0..13 output links
TC_PER_LINK = (0, 1, 4, 6, 9, 14, 18, 23, 28, 32, 37, 41, 46, 48)


def batcher_comparators(n: int) -> np.ndarray:
    """Compare-exchange steps of Batcher's merge-exchange sort for ``n`` inputs, in order, (k, 2) int64."""
    steps = []
    t = max(1, int(np.ceil(np.log2(n))))
    p = 1 << (t - 1)
    while p >= 1:
        q, r, d = 1 << (t - 1), 0, p
        while q >= p:
            steps.extend((i, i + d) for i in range(n - d) if i & p == r)
            d, q, r = q - p, q // 2, p
        p //= 2
    return np.asarray(steps, dtype=np.int64).reshape(-1, 2)


COMPARATORS = batcher_comparators(48)


@jit
def sort_network(values, comparators, out_values, out_addr):
    """Sort each row of ``values`` descending with the network; write values and source addresses."""
    n_rows, n = values.shape
    ci = comparators[:, 0].copy()
    cj = comparators[:, 1].copy()
    v = np.empty(n, dtype=np.int64)
    a = np.empty(n, dtype=np.int64)
    for r in range(n_rows):
        for k in range(n):
            v[k] = values[r, k]
            a[k] = k
        for c in range(ci.shape[0]):
            i = ci[c]
            j = cj[c]
            vi = v[i]
            vj = v[j]
            ai = a[i]
            aj = a[j]
            swap = vi < vj
            v[i] = vj if swap else vi
            v[j] = vi if swap else vj
            a[i] = aj if swap else ai
            a[j] = ai if swap else aj
        for k in range(n):
            out_values[r, k] = v[k]
            out_addr[r, k] = a[k]


def sort_network_reference(row: list[int], comparators: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Plain twin of :func:`sort_network` for one row."""
    vals, addr = list(row), list(range(len(row)))
    for i, j in comparators:
        if vals[i] < vals[j]:
            vals[i], vals[j] = vals[j], vals[i]
            addr[i], addr[j] = addr[j], addr[i]
    return vals, addr


@dataclass(frozen=True)
class BestChoiceOutput:
    charges: np.ndarray  # (n, 48) clamped, shifted charges in cell order
    sorted_charges: np.ndarray  # (n, 48) descending
    sorted_addr: np.ndarray  # (n, 48) cell address of each sorted entry


def best_choice(calq: np.ndarray, drop_lsb: int) -> BestChoiceOutput:
    q = np.minimum(np.asarray(calq, dtype=np.int64) >> drop_lsb, CHARGE_CLAMP)
    q = np.ascontiguousarray(q)
    vals = np.empty_like(q)
    addr = np.empty_like(q)
    sort_network(q, COMPARATORS, vals, addr)
    return BestChoiceOutput(charges=q, sorted_charges=vals, sorted_addr=addr)
