"""Replay of ROOT files (TTree or RNTuple) through uproot and awkward, as L1 batches.

:class:`RootSource` opens each file up front (to check it, find the tree, count
entries) and once per pass to read it (the first file stays open from construction
to the first pass, so one pass opens each file once). It reads only the branches the
L1 input needs (plus ``passthrough`` branches) in chunks of ``chunk_events`` entries
(>= 10k is the efficient range) on a thread of its own, one chunk ahead (uproot's
decompression releases the GIL, so reading overlaps the conversion), converts each
chunk (:mod:`streams.root_convert`,
then :func:`streams.hwunits.build_l1_inputs`), and re-batches the events into
batches of ``batch_events`` (default four orbits of colliding BX), each stamped with
``orbit``/``bx``/``event`` in file order by :class:`streams.sourcebase.Rebatcher`.
Layout detection and branch matching live in :mod:`streams.root_layouts`; the
detected layout is ``.layout`` and the branches used are ``.layout_detail``.

Conventions:

- Px/Py/Pz/E layouts: pT = hypot(px, py), eta = asinh(pz / pT) (0 when pT = 0),
  phi = atan2(py, px), in float64 from the stored values; MET from (px, py) the same way.
- A group that is one value per event (MET) read from a jagged branch (Delphes
  ``MissingET``) takes the first entry of each event; an event with none gets 0.
- Collections absent from the file are zero-filled and named once in a
  :class:`MissingCollectionWarning`.
- NaN/inf anywhere in an event's objects (pt/eta/phi, or px/py/pz/E) or MET: the event
  keeps its place in the stream, its ``l1_inputs`` row is all zero and ``bad_input``
  is 1; the pipeline drops it with reason ``nan_input``. ``.n_bad_input`` counts such
  events in the current (or last) pass, and a :class:`BadInputWarning` gives the count
  at the end of a pass. No NaN is ever turned into a number.
- ``passthrough`` branches (one value per event, e.g. ``L1_SingleMu22``) are copied
  as columns of the same name; bool becomes uint8.

Errors (:mod:`streams.errors`): a missing file, a file that is not ROOT, a truncated
file (shorter than its header says, or failing mid-read) -> :class:`SourceError`;
a file whose only trees uproot cannot read (an RNTuple of the pre-1.0 format that ROOT
< 6.34 wrote) -> :class:`SourceError`; a missing tree, no usable branches, a mapped or
passthrough branch that is absent -> :class:`MissingBranchError`, listing what does
exist, closest names first, the most relevant trees first, and the branches a nearly
matching collection lacks (``Jet_pt without Jet_eta, Jet_phi``).
"""

from __future__ import annotations

import lzma
import os
import queue
import threading
import warnings
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import cramjam
import numpy as np
import uproot

from streams.clock import FillingScheme
from streams.errors import MissingBranchError, SourceError
from streams.root_convert import convert_chunk, is_ttree, numeric_dtype, read_chunks
from streams.root_layouts import (
    GROUP_TITLES,
    GROUPS,
    LAYOUTS,
    ReadPlan,
    closest_names,
    no_usable_branches,
    plan_from_branch_map,
    resolve_layout,
    vector_plan,
)
from streams.sourcebase import Rebatcher, SourceOptionError, check_count, default_batch_events

__all__ = ["RootSource", "MissingCollectionWarning", "BadInputWarning"]

_TREE_CLASSES = ("TTree", "TNtuple", "ROOT::RNTuple", "ROOT::Experimental::RNTuple")
_STANDARD_COLUMNS = ("orbit", "bx", "event", "l1_inputs", "bad_input", "input_anomaly", "label", "pileup",
                     "calo_cells")
#: what uproot and its decompressors raise on a damaged or truncated file
_READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError, ValueError, EOFError, zlib.error, lzma.LZMAError, cramjam.DecompressionError,
    uproot.deserialization.DeserializationError)


class MissingCollectionWarning(UserWarning):
    """A collection the L1 input uses is not in the file; its slots are zero."""


class BadInputWarning(UserWarning):
    """Some events had NaN/inf inputs and were flagged ``bad_input``."""


# --------------------------------------------------------------------- opening
def _open(path: str):
    """uproot.open with the problems a user can fix turned into SourceError."""
    remote = "://" in path
    if not remote:
        p = Path(path)
        if not p.exists():
            msg = f"input file {path!r} does not exist"
            raise SourceError(msg)
        if not p.is_file():
            msg = f"input {path!r} is not a file"
            raise SourceError(msg)
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head != b"root":
            what = "it is empty" if not head else f"it starts with {head!r}, a ROOT file starts with b'root'"
            msg = f"{path!r} is not a ROOT file ({what})"
            raise SourceError(msg)
    try:
        f = uproot.open(path)
    except FileNotFoundError:
        msg = f"input file {path!r} does not exist"
        raise SourceError(msg) from None
    except PermissionError:
        msg = f"input file {path!r} cannot be read: permission denied"
        raise SourceError(msg) from None
    except ValueError as err:
        msg = f"{path!r} is not a ROOT file: {str(err).splitlines()[0]}"
        raise SourceError(msg) from None
    except _READ_ERRORS as err:
        msg = f"{path!r} cannot be opened as ROOT; it is truncated or damaged: {' '.join(str(err).split())}"
        raise SourceError(msg) from None
    if not remote:
        size, end = os.path.getsize(path), int(f.file.fEND)
        if size < end:
            f.close()
            msg = f"{path!r} is truncated: its ROOT header says it ends at byte {end}, the file has {size} bytes"
            raise SourceError(msg)
    return f


def _trees(f) -> dict[str, str]:
    """Name (no cycle) -> class of every TTree/RNTuple in the file, in file order."""
    out: dict[str, str] = {}
    for key, cls in f.classnames().items():
        if cls in _TREE_CLASSES:
            out.setdefault(key.rsplit(";", 1)[0], cls)
    return out


def _branch_keys(tree, *, shallow: bool = False) -> list[str]:
    """Branch keys of a TTree (nested ones as paths) or field keys of an RNTuple.
    ``shallow``: an RNTuple's top-level fields only; listing every subfield takes uproot
    seconds on a NanoAOD-sized RNTuple (4.6 s for 1313 fields), so detection tries the
    top level first (flat NanoAOD names like ``Jet_pt`` are top-level fields)."""
    if is_ttree(tree):
        return list(tree.keys(recursive=True))
    return list(tree.keys(recursive=not shallow))


# --------------------------------------------------------------------- planning
def _typenames(tree) -> dict[str, str]:
    """Branch key -> C++ type name of a TTree; branches whose type uproot cannot name
    (e.g. uproot-issue501.root: a raw 16-byte leaf) are left out, not fatal."""
    out = {}
    for key, branch in tree.iteritems(recursive=True):
        try:
            out[key] = branch.typename
        except (KeyError, ValueError, NotImplementedError, *_READ_ERRORS):
            continue
    return out


def _plan_tree(keys: Sequence[str], branch_map: Mapping[str, Any] | None, where: str,
               tree=None) -> ReadPlan | None:
    detected = resolve_layout(keys)
    if detected is None and tree is not None and is_ttree(tree):  # ROOT vector objects, found by type
        detected = vector_plan(_typenames(tree))
    if not branch_map:
        return detected
    mapped = plan_from_branch_map(branch_map, keys, where=where)
    groups = dict(detected.groups) if detected else {}
    groups.update(mapped)
    layout = detected.layout if detected else "custom"
    return ReadPlan(layout, groups, tuple(g for g in GROUPS if g not in groups))


_OLD_RNTUPLE = "ROOT::Experimental::RNTuple"


def _unreadable(path: str, name: str, cls: str, err: BaseException) -> str:
    why = " ".join(str(err).split())[:200]
    if cls == _OLD_RNTUPLE:
        return (f"{cls} {name!r} is in the pre-1.0 RNTuple format (ROOT < 6.34), which uproot "
                f"{uproot.__version__} cannot read; rewrite it with ROOT >= 6.34 or as a TTree ({why})")
    return f"{cls} {name!r} cannot be read by uproot {uproot.__version__} ({type(err).__name__}: {why})"


def _choose(f, path: str, tree: str | None, branch_map) -> tuple[str, str, ReadPlan, list[str]]:
    """(tree name, its class, the read plan, the keys looked at) of the best tree."""
    trees = _trees(f)
    if tree is not None:
        if tree not in trees:
            msg = (f"tree {tree!r} is not in {path!r}; trees there: {sorted(trees) or 'none'}"
                   f"{'' if trees else f' (the file holds {dict(f.classnames())})'}")
            raise MissingBranchError(msg)
        candidates = [tree]
    else:
        if not trees:
            msg = f"{path!r} holds no TTree or RNTuple; it holds {dict(f.classnames()) or 'nothing'}"
            raise MissingBranchError(msg)
        preferred = [t for lay in LAYOUTS for t in lay.trees if t in trees]
        candidates = list(dict.fromkeys([*preferred, *trees]))
    best: tuple[str, ReadPlan] | None = None
    all_keys: dict[str, list[str]] = {}
    map_errors: list[MissingBranchError] = []
    unreadable: list[str] = []
    for name in candidates:
        try:
            obj = f[name]
            keys = _branch_keys(obj, shallow=True)
        except (*_READ_ERRORS, NotImplementedError) as err:  # e.g. a pre-1.0 RNTuple beside good trees
            unreadable.append(_unreadable(path, name, trees[name], err))
            continue
        where = f"tree {name!r} of {path!r}"
        try:
            plan = _plan_tree(keys, branch_map, where, obj)
        except MissingBranchError as err:
            plan, error = None, err
        else:
            error = None
        if not is_ttree(obj) and (plan is None or len(plan.groups) < len(GROUPS)):
            keys = _branch_keys(obj)  # an RNTuple: look at its subfields too
            try:
                plan, error = _plan_tree(keys, branch_map, where), None
            except MissingBranchError as err:
                plan, error = None, err
        all_keys[name] = keys
        if error is not None:  # a mapped branch is not in this tree: try the others
            map_errors.append(error)
            continue
        if plan is not None and (best is None or len(plan.groups) > len(best[1].groups)):
            best = (name, plan)
            if len(plan.groups) == len(GROUPS):  # complete: no need to parse the other trees
                break
    if best is None and map_errors:
        raise map_errors[0]
    if best is None and not all_keys:
        msg = f"{path!r}: no tree can be read: {'; '.join(unreadable)}"
        raise SourceError(msg)
    if best is None:
        raise no_usable_branches(path, all_keys, trees, unreadable)
    name, plan = best
    return name, trees[name], plan, all_keys[name]


def _check_passthrough(tree, keys: Sequence[str], names: Sequence[str], where: str) -> tuple[str, ...]:
    out = []
    for name in names:
        if name in _STANDARD_COLUMNS:
            msg = f"passthrough branch {name!r} would overwrite the standard column of that name; rename it"
            raise SourceOptionError(msg)
        if name not in keys:
            near = closest_names([name], keys, limit=8)
            msg = f"passthrough branch {name!r} is not in {where}; closest names there: {near}"
            raise MissingBranchError(msg)
        if tree.num_entries:
            arr = tree.arrays([name], entry_stop=1)[name]
            if arr.ndim != 1 or numeric_dtype(arr) is None:
                msg = (f"passthrough branch {name!r} in {where} has type {arr.type.content}; "
                       "only one number or bool per event can be passed through")
                raise SourceOptionError(msg)
        out.append(name)
    return tuple(out)


# --------------------------------------------------------------------- the source
class RootSource:
    """Events of one or more ROOT files as L1 batches (see the module docstring).

    ``tree``: the TTree/RNTuple name (default: found by layout). ``branch_map``: user
    branch names per quantity (keys in :data:`streams.root_layouts.BRANCH_MAP_KEYS`),
    replacing the detected branches of the groups it names. ``passthrough``: per-event
    scalar branches copied as columns. ``entry_stop``: read at most this many events in
    total (over all files).
    """

    def __init__(self, path_or_paths: str | os.PathLike | Sequence[str | os.PathLike], *,
                 tree: str | None = None, branch_map: Mapping[str, Any] | None = None,
                 passthrough: Sequence[str] = (), scheme: FillingScheme | None = None,
                 batch_events: int | None = None, chunk_events: int = 100_000,
                 entry_stop: int | None = None) -> None:
        if isinstance(path_or_paths, (str, os.PathLike)):
            paths = [os.fspath(path_or_paths)]
        else:
            paths = [os.fspath(p) for p in path_or_paths]
        if not paths:
            msg = "RootSource needs at least one file"
            raise SourceOptionError(msg)
        if isinstance(passthrough, str):
            passthrough = (passthrough,)
        self._paths = paths
        self._scheme = scheme if scheme is not None else FillingScheme.lhc_25ns_2748()
        self._batch = (default_batch_events(self._scheme) if batch_events is None
                       else check_count("batch_events", batch_events, minimum=1))
        self._chunk = check_count("chunk_events", chunk_events, minimum=1)
        cap = None if entry_stop is None else check_count("entry_stop", entry_stop)
        self.n_bad_input = 0
        first = _open(paths[0])
        try:
            tree_name, tree_kind, plan, keys = _choose(first, paths[0], tree, branch_map)
            t = first[tree_name]
            if any(p not in keys for p in passthrough):
                keys = _branch_keys(t)
            kept = _check_passthrough(t, keys, passthrough, f"tree {tree_name!r} of {paths[0]!r}")
            plan = ReadPlan(plan.layout, plan.groups, plan.missing, kept)
            entries = [int(t.num_entries)]
            for path in paths[1:]:
                with _open(path) as f:
                    self._check_same(f, path, tree_name, plan)
                    entries.append(int(f[tree_name].num_entries))
        except BaseException:
            first.close()
            raise
        # the first file stays open for the first pass (its tree metadata is already parsed)
        self._held = first
        self._plan = plan
        self._tree = tree_name
        self._tree_kind = tree_kind
        self._entries = entries
        total = sum(entries)
        self._n = total if cap is None else min(total, cap)
        if plan.missing:
            names = ", ".join(GROUP_TITLES[g] for g in plan.missing)
            warnings.warn(MissingCollectionWarning(
                f"{paths[0]!r} tree {tree_name!r} (layout {plan.layout}) has no {names} collection(s); "
                "their L1 input slots are zero. Map them with branch_map if the file names them differently"),
                stacklevel=2)

    @staticmethod
    def _check_same(f, path: str, tree_name: str, plan: ReadPlan) -> None:
        trees = _trees(f)
        if tree_name not in trees:
            msg = f"tree {tree_name!r} (found in the first file) is not in {path!r}; trees there: {sorted(trees)}"
            raise MissingBranchError(msg)
        t = f[tree_name]
        keys = set(_branch_keys(t, shallow=True))
        if any(k not in keys for k in plan.keys()):
            keys = set(_branch_keys(t))
        absent = [k for k in plan.keys() if k not in keys]
        if absent:
            near = closest_names(absent, sorted(keys))
            msg = f"{path!r} tree {tree_name!r} lacks branches {absent} that the first file has; closest there: {near}"
            raise MissingBranchError(msg)

    def close(self) -> None:
        """Close the file kept open from construction (done by the first pass too)."""
        held, self._held = self._held, None
        if held is not None:
            held.close()

    def __enter__(self) -> RootSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- properties ----------------------------------------------------------
    @property
    def n_events(self) -> int:
        return self._n

    @property
    def layout(self) -> str:
        return self._plan.layout

    @property
    def layout_detail(self) -> dict[str, Any]:
        return {**self._plan.detail(), "tree": self._tree, "tree_kind": self._tree_kind,
                "files": list(self._paths)}

    @property
    def batch_events(self) -> int:
        return self._batch

    @property
    def scheme(self) -> FillingScheme:
        return self._scheme

    def describe(self) -> dict[str, Any]:
        """Plain, JSON-ready description of the source."""
        return {"layout": self.layout, "n_events": self._n, "tree": self._tree, "files": list(self._paths),
                "scheme": self._scheme.name, "batch_events": self._batch, "chunk_events": self._chunk,
                "missing": list(self._plan.missing)}

    # -- reading ---------------------------------------------------------------
    def _read(self, out: queue.Queue, stop: threading.Event) -> None:
        """The reading thread: every chunk of every file, in order, into ``out``
        (uproot's decompression releases the GIL, so it overlaps the conversion)."""

        def put(item) -> bool:
            while not stop.is_set():
                try:
                    out.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            left = self._n
            keys = self._plan.keys()
            for path, n_file in zip(self._paths, self._entries, strict=True):
                if left <= 0:
                    break
                stop_at = min(n_file, left)
                left -= stop_at
                held, self._held = self._held, None
                with held if held is not None and path == self._paths[0] else _open(path) as f:
                    chunks = read_chunks(f[self._tree], keys, self._chunk, stop_at)
                    start = 0
                    while not stop.is_set():
                        try:
                            arrays = next(chunks)
                        except StopIteration:
                            break
                        except _READ_ERRORS as err:
                            msg = (f"{path!r}: reading tree {self._tree!r} failed after entry {start}; the file is "
                                   f"truncated or damaged: {' '.join(str(err).split())}")
                            put(("error", SourceError(msg)))
                            return
                        start += len(arrays)
                        if not put(("chunk", arrays)):
                            return
            put(("end", None))
        except BaseException as err:  # noqa: BLE001 - handed to the iterating thread
            put(("error", err))
        finally:
            self.close()  # entry_stop may have left the first file unread

    def __iter__(self) -> Iterator[dict[str, np.ndarray]]:
        self.n_bad_input = 0
        rebatch = Rebatcher(self._batch, self._scheme)
        chunks: queue.Queue = queue.Queue(maxsize=1)
        stop = threading.Event()
        reader = threading.Thread(target=self._read, args=(chunks, stop), name="triggeremu-root-read", daemon=True)
        reader.start()
        try:
            while True:
                kind, item = chunks.get()
                if kind == "end":
                    break
                if kind == "error":
                    raise item
                cols = convert_chunk(item, self._plan, len(item))
                self.n_bad_input += int(np.count_nonzero(cols["bad_input"]))
                yield from rebatch.push(cols)
        finally:
            stop.set()
        reader.join()
        yield from rebatch.flush()
        if self.n_bad_input:
            warnings.warn(BadInputWarning(
                f"{self.n_bad_input} of {self._n} events have NaN/inf inputs; they are flagged bad_input "
                "(all-zero l1_inputs) and dropped with reason nan_input"), stacklevel=2)
