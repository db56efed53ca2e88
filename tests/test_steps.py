"""backward_steps(): the steps of backward, in order, summing exactly to its gradients."""

import math
import random

import pytest
from hypothesis import assume, given

from chainrule import Value, explain
from chainrule.engine import backward_steps, gradients, topological_order
from tests import reference
from tests.reference import CHAINRULE_OPS, build, inputs, random_graph, same_float, steps


def test_seed_example_steps():
    n = reference.seed_example(labels=())
    x, w, wx, z, a, d, L = (n[k] for k in ("x", "w", "wx", "z", "a", "a-y", "L"))
    got = list(backward_steps(L))
    assert [s.node for s in got] == [L, d, a, z, wx]
    assert [s.grad for s in got] == [1.0, 4.0, 4.0, 4.0, 4.0]
    (into_z,) = got[2].contributions
    assert (into_z.parent, into_z.local_grad, into_z.amount) == (z, 1.0, 4.0)
    assert (into_z.grad_before, into_z.grad_after, into_z.accumulates) == (0.0, 4.0, False)
    into_w, into_x = got[4].contributions
    assert (into_w.parent, into_w.local_grad, into_w.amount, into_w.grad_after) == (w, 2.0, 8.0, 8.0)
    assert (into_x.parent, into_x.local_grad, into_x.amount, into_x.grad_after) == (x, 3.0, 12.0, 12.0)


def test_a_node_with_several_consumers_accumulates():
    x = Value(3.0, "x")
    xx = x * x
    y = xx + x  # dy/dx = 2x + 1 = 7, in three contributions: 1, then 3 and 3
    first, second = backward_steps(y)
    assert first.node is y and second.node is xx
    into_x = [c for s in (first, second) for c in s.contributions if c.parent is x]
    assert [(c.amount, c.grad_before, c.grad_after, c.accumulates) for c in into_x] == [
        (1.0, 0.0, 1.0, False),
        (3.0, 1.0, 4.0, True),
        (3.0, 4.0, 7.0, True),
    ]
    y.backward()
    assert x.grad == 7.0


def test_steps_leave_the_graph_untouched():
    x = Value(2.0, "x")
    y = (x * x).tanh()
    list(backward_steps(y))
    assert x.grad == 0.0 and y.grad == 0.0


def test_a_leaf_root_takes_no_steps_and_bad_input_is_named():
    assert list(backward_steps(Value(1.0))) == []
    with pytest.raises(TypeError, match="backward_steps"):
        list(backward_steps(1.0))


@given(program=steps, point=inputs)
def test_random_dags_steps_sum_to_backward_grads(program, point):
    xs = [Value(p) for p in point]
    out = build(program, [])(CHAINRULE_OPS, *xs)
    assume(math.isfinite(out.data))
    replay = list(backward_steps(out))
    out.backward()

    # The order is backward's: newest node first, every node with parents once.
    assert [s.node for s in replay] == [v for v in reversed(topological_order(out)) if not v.is_leaf]
    # Each contribution is upstream grad times the local derivative read from the node.
    for s in replay:
        assert len(s.contributions) == len(s.node.parents)
        for c, parent, local in zip(s.contributions, s.node.parents, s.node.local_grads):
            assert c.parent is parent and c.local_grad is local
            assert c.amount == s.grad * local or math.isnan(c.amount)

    # Summing each parent's contributions in order (the first sets, the rest add) gives backward's grads.
    sums = {out: 1.0}
    stepped = set()
    for s in replay:
        assert s.node not in stepped and not any(c.parent in stepped for c in s.contributions), "grad not complete"
        stepped.add(s.node)
        assert s.grad == s.node.grad or (math.isnan(s.grad) and math.isnan(s.node.grad))
        for c in s.contributions:
            assert c.accumulates == (c.parent in sums)
            sums[c.parent] = sums[c.parent] + c.amount if c.parent in sums else c.amount
            assert c.grad_after == sums[c.parent] or math.isnan(c.grad_after)
    for v in topological_order(out):
        assert sums[v] == v.grad or (math.isnan(sums[v]) and math.isnan(v.grad))


@pytest.mark.parametrize("seed", range(40))
def test_backward_backward_steps_and_explain_agree_bit_for_bit(seed):
    """The one rule, three ways: Value.backward's fast loop, engine.gradients (summed from
    backward_steps) and explain's gradient give every node the same float, signed zeros,
    infinities and NaN included."""
    _, nodes, root = random_graph(random.Random(seed), n_ops=30)
    replayed = gradients(root)
    explained = {v: explain(root, v, max_paths=0).gradient for v in nodes if v in replayed}
    root.backward()
    assert set(replayed) == set(topological_order(root))
    for v, g in replayed.items():
        assert same_float(v.grad, g), (v, v.grad, g)
        if v in explained:
            assert same_float(explained[v], g), (v, explained[v], g)
