"""Property tests: the kernels of the graph kinds equal their Python-int reference twins.

Merges (every nnet_merge.h generation: broadcast or element-wise, average by 0.5 or by
division), concatenate over every axis, dot1d, reshape maps, dense with every resource
schedule (rf_leq_nin, rf_gt_nin_rem0, rf_gt_nin's partial sums) and saturating or rounding
accumulators, distributed-arithmetic programs, and whole two-input graphs with fused dense
segments feeding merges -- random fixed-point types in every rounding and overflow mode,
random raw inputs over the full range; fast == reference, exactly.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from firmware_models.fixed import FixedType
from firmware_models.nn import NNModel, kernels, reference
from firmware_models.nn.graph import Graph, Node, Port
from firmware_models.nn.layers.dense import resource_schedule
from firmware_models.nn.layers.dense_da import DAProgram
from firmware_models.nn.layers.merge import concat_map

ROUND = ["TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV"]
OVER = ["WRAP", "SAT", "SAT_ZERO", "SAT_SYM"]


@st.composite
def fixed_types(draw, min_w=2, max_w=20, modes=True):
    w = draw(st.integers(min_w, max_w))
    i = draw(st.integers(-2, w + 2))
    signed = draw(st.booleans())
    if not modes:
        return FixedType(w, i, signed)
    return FixedType(w, i, signed, draw(st.sampled_from(ROUND)), draw(st.sampled_from(OVER)))


def _raw(draw, t: FixedType, shape):
    n = int(np.prod(shape))
    edge = st.sampled_from([t.min_raw, t.max_raw, 0, t.min_raw + 1, t.max_raw - 1])
    vals = draw(st.lists(st.one_of(st.integers(t.min_raw, t.max_raw), edge), min_size=n, max_size=n))
    return np.array([min(max(v, t.min_raw), t.max_raw) for v in vals], dtype=np.int64).reshape(shape)


def _agree(node, xs):
    fast = kernels.run_layer(node, xs)
    ref = reference.run_layer(node, xs)
    np.testing.assert_array_equal(fast, ref)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["add", "subtract", "multiply", "average", "maximum", "minimum"]),
       st.sampled_from(["broadcast", "elementwise"]), st.sampled_from(["_half", "_divide"]), st.data())
def test_elementwise_merges_equal_reference(kind, index, avg, data):
    t1, t2, tr = data.draw(fixed_types()), data.draw(fixed_types()), data.draw(fixed_types())
    n = data.draw(st.integers(1, 6))
    n1, n2 = (n, n) if index == "elementwise" else data.draw(st.sampled_from([(n, n), (n, 1), (1, n)]))
    n = max(n1, n2)
    variant = index + (avg if kind == "average" else "_cast" if kind in ("maximum", "minimum") else "")
    if variant.endswith("_divide"):
        from firmware_models.fixed import quantize

        assume(int(quantize(np.array(2.0), tr)) != 0)
    node = Node("m", kind, ("a", "b"), "m", {"input": t1, "input2": t2, "result": tr}, attrs={"variant": variant},
                in_shapes=((n1,), (n2,)), out_shape=(n,))
    ev = data.draw(st.integers(1, 8))
    _agree(node, [_raw(data.draw, t1, (ev, n1)), _raw(data.draw, t2, (ev, n2))])


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 3), st.data())
def test_concatenate_equals_reference_and_numpy(rank, data):
    s1 = tuple(data.draw(st.integers(1, 3)) for _ in range(rank))
    axis = data.draw(st.integers(0, rank - 1))
    s2 = tuple(data.draw(st.integers(1, 3)) if k == axis else s1[k] for k in range(rank))
    t1, t2, tr = data.draw(fixed_types()), data.draw(fixed_types()), data.draw(fixed_types())
    m = concat_map(s1, s2, axis)
    out_shape = tuple(s1[k] + s2[k] if k == axis else s1[k] for k in range(rank))
    node = Node("c", "concatenate", ("a", "b"), "c", {"input": t1, "input2": t2, "result": tr},
                attrs={"axis": axis, "map": m}, in_shapes=(s1, s2), out_shape=out_shape)
    ev = data.draw(st.integers(1, 5))
    a, b = _raw(data.draw, t1, (ev, int(np.prod(s1)))), _raw(data.draw, t2, (ev, int(np.prod(s2))))
    _agree(node, [a, b])
    # the index map is numpy's concatenation of the two tensors
    ia = np.arange(a.shape[1]).reshape(s1)
    ib = (np.arange(b.shape[1]) + a.shape[1]).reshape(s2)
    np.testing.assert_array_equal(m, np.concatenate([ia, ib], axis=axis).reshape(-1))


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_dot_equals_reference(data):
    t1, t2 = data.draw(fixed_types(max_w=18)), data.draw(fixed_types(max_w=18))
    ta, tr = data.draw(fixed_types(min_w=4, max_w=44)), data.draw(fixed_types())
    n = data.draw(st.integers(1, 10))
    node = Node("d", "dot", ("a", "b"), "d", {"input": t1, "input2": t2, "accum": ta, "result": tr},
                in_shapes=((n,), (n,)), out_shape=(1,))
    ev = data.draw(st.integers(1, 6))
    _agree(node, [_raw(data.draw, t1, (ev, n)), _raw(data.draw, t2, (ev, n))])


def _valid_rfs(n_in: int, n_out: int) -> list[int]:
    from firmware_models.nn.onnx_config import valid_reuse_factors

    return valid_reuse_factors(n_in, n_out)


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_dense_every_schedule_equals_reference(data):
    n_in, n_out = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 5))
    rf = data.draw(st.sampled_from(_valid_rfs(n_in, n_out)))
    kernel = data.draw(st.sampled_from(["DenseLatency", "DenseResource_rf_leq_nin" if rf <= n_in else
                                        ("DenseResource_rf_gt_nin_rem0" if rf % n_in == 0 else
                                         "DenseResource_rf_gt_nin"), "DenseResource_rf_gt_nin"
                                        if rf > n_in else "DenseLatency"]))
    tx, tw, tb = data.draw(fixed_types(max_w=14)), data.draw(fixed_types(max_w=8, modes=False)), \
        data.draw(fixed_types(max_w=10, modes=False))
    ta, tr = data.draw(fixed_types(min_w=3, max_w=30)), data.draw(fixed_types())
    sched = resource_schedule(kernel, n_in, n_out, rf)
    node = Node("d", "dense", ("x",), "d", {"input": tx, "weight": tw, "bias": tb, "accum": ta, "result": tr},
                params={"weight": _raw(data.draw, tw, (n_in, n_out)), "bias": _raw(data.draw, tb, (n_out,))},
                attrs={"reuse_factor": rf, "strategy": "resource", "schedule": sched},
                in_shapes=((n_in,),), out_shape=(n_out,))
    _agree(node, [_raw(data.draw, tx, (data.draw(st.integers(1, 8)), n_in))])


def test_rf_gt_nin_schedule_follows_the_reuse_loop():
    # n_in=4, n_out=6, RF=6: step ir reads w_index = ir + 6*im (transposed storage: o = w // 4, i = w % 4)
    sched = resource_schedule("DenseResource_rf_gt_nin", 4, 6, 6)
    assert sched[0] == [[0], [1], [2], [3]]
    assert sched[1] == [[2], [3], [0], [1]]        # ir=0: w=6 -> (1,2); ir=1: w=7 -> (1,3); ir=4: w=4 -> (1,0)
    assert sched[5] == [[0], [1], [2], [3]]        # ir=2: w=20; ir=3: 21; ir=4: 22; ir=5: 23
    assert all(len(g) == 1 for o in sched for g in o)   # RF > n_in: one product per output and step
    leq = resource_schedule("DenseResource_rf_leq_nin", 4, 6, 2)
    assert leq[0] == [[0], [2], [1], [3]]          # ir=0 takes inputs 0, 2; ir=1 takes 1, 3


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_reshape_maps_equal_reference(data):
    t, tr = data.draw(fixed_types()), data.draw(fixed_types())
    n = data.draw(st.integers(1, 8))
    perm = np.array(data.draw(st.permutations(list(range(n)))), dtype=np.int64)
    node = Node("r", "reshape", ("x",), "r", {"input": t, "result": tr}, attrs={"map": perm}, in_shapes=((n,),),
                out_shape=(n,))
    _agree(node, [_raw(data.draw, t, (data.draw(st.integers(1, 5)), n))])


# --------------------------------------------------------------------------- distributed arithmetic
@st.composite
def da_programs(draw):
    n_in = draw(st.integers(1, 4))
    t_in = draw(fixed_types(max_w=14))
    types = [t_in] * n_in
    stmts = []

    def ref(k):
        return ("in", k) if k < n_in else ("var", k)

    def expr(depth):
        choice = draw(st.integers(0, 5 if depth < 2 else 1))
        if choice <= 1:
            e = ref(draw(st.integers(0, len(types) - 1)))
            return ("shift", draw(st.integers(-4, 3)), e) if draw(st.booleans()) else e
        if choice == 2:
            return ("neg", expr(depth + 1))
        if choice == 3:
            return (draw(st.sampled_from(["add", "sub"])), expr(depth + 1), expr(depth + 1))
        if choice == 4:
            ct = draw(fixed_types(max_w=6, modes=False))
            c = ("lit", draw(st.sampled_from([0.125, 0.25, 0.375, 1.5, 3.0, 0.3])))
            return ("add", expr(depth + 1), ("cast", ct, ("neg", c) if draw(st.booleans()) else c))
        return ("mul", expr(depth + 1), expr(depth + 1))   # not linear: the exact fallback

    for _ in range(draw(st.integers(1, 6))):
        t = draw(fixed_types(max_w=24))
        stmts.append((len(types), t, expr(0)))
        types.append(t)
    n_out = draw(st.integers(1, 3))
    t_out = draw(fixed_types(max_w=20))
    outs = []
    for _ in range(n_out):
        stmts.append((len(types), t_out, ref(draw(st.integers(n_in, len(types) - 1)))))
        types.append(t_out)
        outs.append(len(types) - 1)
    return DAProgram(n_in, types, stmts, outs, 0), t_in, t_out


@settings(max_examples=150, deadline=None)
@given(da_programs(), st.data())
def test_distributed_arithmetic_kernel_equals_reference(case, data):
    prog, t_in, t_out = case
    node = Node("da", "dense_da", ("x",), "da", {"input": t_in, "result": t_out}, attrs={"program": prog},
                in_shapes=((prog.n_in,),), out_shape=(len(prog.outputs),))
    _agree(node, [_raw(data.draw, t_in, (data.draw(st.integers(1, 8)), prog.n_in))])


# --------------------------------------------------------------------------- whole graphs
@st.composite
def two_input_graphs(draw):
    """a -> dense -> relu -, b -> dense -> (merge) -> out1; plus a second output: relu'd a-branch."""
    ta, tb = draw(fixed_types(max_w=10)), draw(fixed_types(max_w=10))
    n_a, n_b, n = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 4))
    nodes = []

    def dense(name, src, tx, n_in):
        tw, tbias = draw(fixed_types(max_w=6, modes=False)), draw(fixed_types(max_w=6, modes=False))
        fa = tx.fractional + tw.fractional
        aw = draw(st.integers(6, 24))
        tacc = FixedType(aw, aw - fa, True, overflow=draw(st.sampled_from(["WRAP", "SAT"])))
        tr = draw(fixed_types(max_w=14))
        nodes.append(Node(name, "dense", (src,), name, {"input": tx, "weight": tw, "bias": tbias, "accum": tacc,
                                                        "result": tr},
                          params={"weight": _raw(draw, tw, (n_in, n)), "bias": _raw(draw, tbias, (n,))},
                          in_shapes=((n_in,),), out_shape=(n,)))
        return tr

    t1 = dense("da", "a", ta, n_a)
    tr1 = draw(fixed_types(max_w=12))
    nodes.append(Node("ra", "relu", ("da",), "ra", {"input": t1, "result": tr1}, in_shapes=((n,),), out_shape=(n,)))
    t2 = dense("db", "b", tb, n_b)
    kind = draw(st.sampled_from(["add", "subtract", "multiply", "maximum", "concatenate"]))
    tm = draw(fixed_types(max_w=16))
    if kind == "concatenate":
        nodes.append(Node("m", kind, ("ra", "db"), "m", {"input": tr1, "input2": t2, "result": tm},
                          attrs={"axis": 0, "map": concat_map((n,), (n,), 0)}, in_shapes=((n,), (n,)),
                          out_shape=(2 * n,)))
    else:
        nodes.append(Node("m", kind, ("ra", "db"), "m", {"input": tr1, "input2": t2, "result": tm},
                          attrs={"variant": "broadcast_cast"}, in_shapes=((n,), (n,)), out_shape=(n,)))
    out_m = nodes[-1]
    ports_in = [Port("a", (n_a,), ta, "a"), Port("b", (n_b,), tb, "b")]
    ports_out = [Port("m", out_m.out_shape, tm, "m"), Port("ra", (n,), tr1, "ra")]
    ev = draw(st.integers(1, 10))
    return Graph(ports_in, ports_out, nodes), {"a": _raw(draw, ta, (ev, n_a)), "b": _raw(draw, tb, (ev, n_b))}


@settings(max_examples=80, deadline=None)
@given(two_input_graphs())
def test_two_input_graphs_fast_equals_reference(case):
    graph, x = case
    model = NNModel(graph)
    fast, ref = model.predict_raw(x), model.predict_raw(x, reference=True)
    assert list(fast) == ["m", "ra"]
    for key in fast:
        np.testing.assert_array_equal(fast[key], ref[key])
    # the flat form (ports concatenated in argument order) and the list form give the same outputs
    flat = model.predict_raw(np.concatenate([x["a"], x["b"]], axis=1))
    listed = model.predict_raw([x["a"], x["b"]])
    for key in fast:
        np.testing.assert_array_equal(flat[key], fast[key])
        np.testing.assert_array_equal(listed[key], fast[key])
