"""The LHC bunch-crossing clock, in exact integer time, and filling schemes.

Numbers (CMSSW RecoLuminosity/LumiDB lumiParameters.py; LHC filling notes):
3564 BX slots per orbit, revolution frequency 11245.613 Hz, so one BX lasts
1 / (3564 x 11245.613 Hz) = 24.9505 ns (40.0794 MHz).

Time is never a float here: it is an integer number of femtoseconds, and the
BX period is the nearest integer femtosecond (24 950 495 fs; the rounding error
is 0.27 fs per BX, 1 ns per hour of beam). A :class:`FillingScheme` says which
of the 3564 slots hold colliding bunches; events are assigned to colliding BX in
order by :func:`assign_bx`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

__all__ = [
    "BX_PER_ORBIT",
    "F_REV_HZ",
    "BX_PERIOD_FS",
    "BX_FREQUENCY_HZ",
    "FS_PER_NS",
    "FillingScheme",
    "assign_bx",
    "bx_time_fs",
    "poisson_pileup",
    "cycle_period_fs",
]

BX_PER_ORBIT = 3564
F_REV_HZ = Fraction("11245.613")
BX_FREQUENCY_HZ = F_REV_HZ * BX_PER_ORBIT
BX_PERIOD_FS = round(Fraction(10**15) / BX_FREQUENCY_HZ)  # 24_950_495 fs
FS_PER_NS = 10**6
ABORT_GAP_SLOTS = 121


def cycle_period_fs(clock_mhz: float | Fraction) -> int:
    """Period of a clock in integer femtoseconds (exact for 40/200/240/360 MHz...)."""
    period = Fraction(10**9) / Fraction(str(clock_mhz))
    return round(period)


def bx_time_fs(orbit: np.ndarray, bx: np.ndarray) -> np.ndarray:
    """Absolute time of each (orbit, bx) in femtoseconds since orbit 0, BX 0 (int64)."""
    slot = orbit.astype(np.int64) * BX_PER_ORBIT + bx.astype(np.int64)
    return slot * np.int64(BX_PERIOD_FS)


@dataclass(frozen=True)
class FillingScheme:
    """Which of the 3564 BX slots of an orbit hold colliding bunches.

    ``filled`` is a sorted array of distinct slot numbers in 0..3563.
    """

    name: str
    filled: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        filled = np.asarray(self.filled, dtype=np.int64)
        if filled.ndim != 1 or filled.size == 0:
            msg = f"filling scheme {self.name!r} has no filled BX; give at least one slot in 0..{BX_PER_ORBIT - 1}"
            raise ValueError(msg)
        if filled.min() < 0 or filled.max() >= BX_PER_ORBIT:
            msg = (
                f"filling scheme {self.name!r} has BX outside 0..{BX_PER_ORBIT - 1} "
                f"(found {int(filled.min())}..{int(filled.max())}); BX numbers are 0-based here"
            )
            raise ValueError(msg)
        if np.unique(filled).size != filled.size:
            msg = f"filling scheme {self.name!r} lists some BX twice"
            raise ValueError(msg)
        object.__setattr__(self, "filled", np.sort(filled).astype(np.uint16))

    @property
    def n_colliding(self) -> int:
        return int(self.filled.size)

    def mask(self) -> np.ndarray:
        """Boolean array of length 3564, True where a bunch collides."""
        m = np.zeros(BX_PER_ORBIT, dtype=bool)
        m[self.filled] = True
        return m

    # -- constructors -------------------------------------------------------
    @classmethod
    def from_trains(
        cls,
        name: str,
        *,
        n_bunches: int,
        train: int,
        trains_per_injection: int,
        train_gap: int,
        injection_gap: int,
        first: int = 0,
        abort_gap: int = ABORT_GAP_SLOTS,
    ) -> FillingScheme:
        """Trains of ``train`` bunches, ``train_gap`` empty slots between trains of one
        injection, ``injection_gap`` empty slots between injections, nothing in the last
        ``abort_gap`` slots; filling stops when ``n_bunches`` is reached."""
        usable = BX_PER_ORBIT - abort_gap
        slots: list[int] = []
        pos = first
        while len(slots) < n_bunches:
            for t in range(trains_per_injection):
                for _ in range(train):
                    if pos >= usable or len(slots) >= n_bunches:
                        break
                    slots.append(pos)
                    pos += 1
                pos += train_gap if t < trains_per_injection - 1 else 0
            pos += injection_gap
            if pos >= usable:
                break
        if len(slots) < n_bunches:
            msg = (
                f"filling scheme {name!r}: only {len(slots)} bunches fit before the abort gap, "
                f"{n_bunches} were asked for; shorten the gaps or ask for fewer bunches"
            )
            raise ValueError(msg)
        return cls(name, np.array(slots))

    @classmethod
    def lhc_25ns_2748(cls) -> FillingScheme:
        """Run-3-like 25 ns scheme: 2748 colliding bunches in trains of 48 (7 empty slots
        between trains, 6 trains = 288 bunches per injection, 800 ns = 32 slots between
        injections), abort gap of 121 slots."""
        return cls.from_trains(
            "25ns_2748b", n_bunches=2748, train=48, trains_per_injection=6, train_gap=7, injection_gap=32
        )

    @classmethod
    def lhc_design_2808(cls) -> FillingScheme:
        """LHC design scheme: 2808 bunches = 39 trains of 72 (8 empty slots between PS
        batches, 4 batches per SPS injection, 38 slots between injections)."""
        return cls.from_trains(
            "design_2808b", n_bunches=2808, train=72, trains_per_injection=4, train_gap=8, injection_gap=38
        )

    @classmethod
    def single_train(cls, n_bunches: int = 72, *, first: int = 0) -> FillingScheme:
        """One train of ``n_bunches`` consecutive bunches starting at ``first``."""
        return cls(f"single_train_{n_bunches}b", np.arange(first, first + n_bunches))

    @classmethod
    def all_bx(cls) -> FillingScheme:
        """Every slot collides (no gaps): useful for pure 40 MHz throughput studies."""
        return cls("all_3564", np.arange(BX_PER_ORBIT))

    @classmethod
    def from_file(cls, path: str | Path) -> FillingScheme:
        """Read a plain list of filled BX (0-based), separated by newlines, commas or
        spaces; ``#`` starts a comment."""
        path = Path(path)
        try:
            text = path.read_text()
        except OSError as err:
            msg = f"cannot read filling scheme file {str(path)!r}: {err.strerror}"
            raise FileNotFoundError(msg) from None
        tokens: list[int] = []
        for lineno, line in enumerate(text.splitlines(), 1):
            for tok in line.split("#", 1)[0].replace(",", " ").split():
                try:
                    tokens.append(int(tok))
                except ValueError:
                    msg = f"{path}:{lineno}: {tok!r} is not an integer BX number; the file must list filled BX (0..3563)"
                    raise ValueError(msg) from None
        return cls(path.stem, np.array(tokens, dtype=np.int64))

    @classmethod
    def named(cls, name: str) -> FillingScheme:
        """A scheme by name (``25ns_2748b``, ``design_2808b``, ``single_train``,
        ``all``) or by path to a list file."""
        builders = {
            "25ns_2748b": cls.lhc_25ns_2748,
            "default": cls.lhc_25ns_2748,
            "design_2808b": cls.lhc_design_2808,
            "single_train": cls.single_train,
            "all": cls.all_bx,
        }
        if name in builders:
            return builders[name]()
        if Path(name).exists():
            return cls.from_file(name)
        msg = f"unknown filling scheme {name!r}; use one of {sorted(builders)} or a path to a file listing filled BX"
        raise ValueError(msg)


def assign_bx(first_event: int, n: int, scheme: FillingScheme) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Assign events ``first_event .. first_event+n-1`` to colliding BX in order.

    Returns ``(orbit uint32, bx uint16, event uint64)``.
    """
    event = np.arange(first_event, first_event + n, dtype=np.uint64)
    k = event.astype(np.int64)
    nc = scheme.n_colliding
    orbit = (k // nc).astype(np.uint32)
    bx = scheme.filled[k % nc]
    return orbit, bx, event


def poisson_pileup(orbit: np.ndarray, bx: np.ndarray, mean: float, *, seed: int) -> np.ndarray:
    """Poisson pileup count per BX, reproducible per (seed, orbit, bx) whatever the batching."""
    slot = orbit.astype(np.uint64) * np.uint64(BX_PER_ORBIT) + bx.astype(np.uint64)
    # counter-based: hash each slot with the seed, then invert the Poisson CDF
    u = _uniform_hash(slot, seed)
    out = np.empty(slot.size, dtype=np.uint16)
    kmax = int(mean + 12 * np.sqrt(mean) + 12)
    ks = np.arange(kmax + 1)
    from math import lgamma

    logp = ks * np.log(mean) - mean - np.array([lgamma(k + 1) for k in ks]) if mean > 0 else None
    if logp is None:
        out[:] = 0
        return out
    cdf = np.cumsum(np.exp(logp))
    out[:] = np.minimum(np.searchsorted(cdf, u, side="right"), kmax)
    return out


def _uniform_hash(x: np.ndarray, seed: int) -> np.ndarray:
    """SplitMix64 of (x + seed) mapped to [0, 1)."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64(seed & 0xFFFFFFFFFFFFFFFF) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
