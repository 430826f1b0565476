"""The summable counters of the map side (triggeremu.counters) and the map/sink split.

- ValueCounts of batches, added in any grouping, equal the counts of the concatenated
  column (hypothesis); the wire form round-trips and refuses malformed metadata;
- the packed seed bits of the map side equal the NumPy reference on every event, and the
  sink's per-batch state does not grow with the batches it has seen.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triggeremu.counters import META_ARRAYS, META_HEADER, Counters, ValueCounts


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(st.lists(st.integers(-(2**40), 2**40) | st.integers(-5, 5), max_size=200), min_size=1,
                      max_size=40), floats=st.booleans())
def test_value_counts_add_up_to_the_whole_column(parts, floats):
    cols = [np.array(p, dtype=np.float64 if floats else np.int64) for p in parts]
    total = ValueCounts.of(cols[0])
    for c in cols[1:]:
        total.add(ValueCounts.of(c))
    whole = np.concatenate(cols)
    values, counts = np.unique(whole, return_counts=True)
    total.merged()
    np.testing.assert_array_equal(total.values, values)
    np.testing.assert_array_equal(total.counts, counts)
    assert len(total) == whole.size
    np.testing.assert_array_equal(np.asarray(total), np.sort(whole))
    for thr in (-3, 0, 2, 10**9):
        assert total.count_at_least(thr) == int((whole >= thr).sum())


def test_value_counts_of_bits_and_vectors():
    dev = np.array([0, 1, 3, 2, 0, 7], dtype=np.uint8)
    vc = ValueCounts.of(dev)
    assert vc.bit_counts(3) == [3, 3, 1] and vc.count_nonzero() == 4
    vec = ValueCounts.of(np.zeros((9, 4), dtype=np.int64))
    assert len(vec) == 9 and vec.values.size == 0


def test_counters_round_trip_on_the_wire():
    c = Counters(3, n_events=10, n_valid=9, n_any_raw=4, seed_raw=np.array([1, 2, 3]),
                 anomalies=np.array([0, 1, 0, 2, 5]), deferred=(2,))
    c.values["ad_score"] = ValueCounts.of(np.array([5, 5, 7, 100]))
    c.values["x_mu"] = ValueCounts.of(np.zeros((4, 2)))
    c.values["x_f"] = ValueCounts.of(np.array([0.5, 0.25, 0.5]))
    got = Counters.from_metadata(c.to_metadata())
    assert (got.n_events, got.n_valid, got.n_any_raw, got.deferred) == (10, 9, 4, (2,))
    np.testing.assert_array_equal(got.seed_raw, [1, 2, 3])
    np.testing.assert_array_equal(got.anomalies, [0, 1, 0, 2, 5])
    for name in c.values:
        np.testing.assert_array_equal(got.values[name].values, c.values[name].values)
        np.testing.assert_array_equal(got.values[name].counts, c.values[name].counts)
        assert len(got.values[name]) == len(c.values[name])


@pytest.mark.parametrize("damage", ["truncate", "extra", "json", "missing", "layout", "deferred"])
def test_malformed_counters_are_refused(damage):
    c = Counters(2, n_events=3, seed_raw=np.array([1, 0]))
    c.values["s"] = ValueCounts.of(np.array([1, 2, 2]))
    meta = c.to_metadata()
    if damage == "truncate":
        meta[META_ARRAYS] = meta[META_ARRAYS][:-3]
    elif damage == "extra":
        meta[META_ARRAYS] += b"\0" * 8
    elif damage == "json":
        meta[META_HEADER] = b"{not json"
    elif damage == "missing":
        del meta[META_ARRAYS]
    elif damage == "layout":
        meta[META_HEADER] = meta[META_HEADER].replace(b'"n_anomaly_kinds": 5', b'"n_anomaly_kinds": 4')
    else:
        meta[META_HEADER] = meta[META_HEADER].replace(b'"deferred": []', b'"deferred": [7]')
    with pytest.raises(ValueError, match="malformed batch counters"):
        Counters.from_metadata(meta)


def test_map_side_seed_bits_equal_the_reference_decisions():
    from streams.synthetic import SyntheticL1Source
    from triggeremu.decisions import seed_bits_reference
    from triggeremu.pipeline import run

    res = run({"kind": "synthetic", "n_events": 30_000, "seed": 9, "signal_fraction": 0.05}, keep_columns=True)
    cols = res.columns
    from triggeremu.menu import load_menu

    ref = seed_bits_reference(cols, load_menu(None)) & (cols["bad_input"] == 0)[:, None]
    np.testing.assert_array_equal(cols["seed_bits"], ref)
    assert sum(len(b["event"]) for b in SyntheticL1Source(30_000, seed=9)) == cols["event"].size


def test_the_sink_keeps_no_per_event_column():
    from streams.clock import FillingScheme
    from streams.synthetic import SyntheticL1Source
    from triggeremu.chain import Chain, MapSide
    from triggeremu.menu import load_menu
    from triggeremu.pipeline import _Sink

    menu = load_menu(None)
    chain = Chain(menu)
    side = MapSide(menu, chain=chain)
    sink = _Sink(menu, chain, FillingScheme.named(menu.filling_scheme), out=None, keep_columns=False)
    sizes = []
    for cols in SyntheticL1Source(12 * 5000, seed=2, batch_events=5000):
        sink.consume(*side(cols))
        sizes.append(sink.counters.values["ad_score"].merged().values.size)
    assert sink.events_in == 60_000 and not sink._kept
    # distinct scores only: the count settles far below the events seen
    assert sizes[-1] < 4000 and sizes[-1] - sizes[-4] < sizes[3] - sizes[0]


def test_map_worker_returns_what_the_sink_needs():
    """The worker function sends back the sink's columns only, with the counters in the
    schema metadata, and drops the offline columns once the sink says it has enough."""
    from streams.schema import to_columns
    from triggeremu.chain import FLAG_OFFLINE_FULL, SEED_BITS, SinkNeeds, map_worker
    from triggeremu.sources import source_items

    spec = {"kind": "synthetic", "n_events": 3000, "seed": 1, "batch_events": 1500}
    task = next(iter(source_items(spec)))
    fn = map_worker(None, SinkNeeds(offline=("l1_inputs",)))
    got = fn(task)
    assert set(got.schema.names) == {"orbit", "bx", "event", "bad_input", "input_anomaly", SEED_BITS, "l1_inputs"}
    c = Counters.from_metadata(got.schema.metadata)
    assert c.n_events == 1500 and "ad_score" in c.values
    fn.sink_flags = FLAG_OFFLINE_FULL
    assert "l1_inputs" not in fn(task).schema.names
    writing = map_worker(None, SinkNeeds(write=True))(task)
    assert {"ad_score", "bad_input"} <= set(writing.schema.names) and "l1_inputs" not in writing.schema.names
    cols = to_columns(writing)
    assert cols[SEED_BITS].shape == (1500, 1)
