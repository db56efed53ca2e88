"""backward(): accumulation rules, deep graphs, freeing, no_grad."""

import gc
import random
import sys
import weakref

import pytest

from chainrule import Value, is_grad_enabled, no_grad
from chainrule.engine import linear, topological_order
from tests.reference import random_graph, same_float


def test_leaves_accumulate_and_non_leaves_are_recomputed():
    a, b = Value(2.0), Value(3.0)
    ab = a * b
    d = ab * a  # d = a^2 b: dd/da = 2ab = 12
    d.backward()
    assert a.grad == 12.0 and b.grad == 4.0 and ab.grad == 2.0
    d.backward()
    assert a.grad == 24.0 and b.grad == 8.0  # leaves accumulate, as in PyTorch
    assert ab.grad == 2.0 and d.grad == 1.0  # non-leaves are recomputed from scratch


def test_shared_subexpression_sums_over_consumers():
    x = Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0


def test_backward_on_a_leaf_accumulates_one():
    x = Value(5.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_million_node_chain_is_iterative():
    limit = sys.getrecursionlimit()
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    assert sys.getrecursionlimit() == limit


def test_dropped_graph_is_freed_without_the_collector():
    gc.disable()
    try:
        x = Value(2.0)
        h = (x * 3.0).tanh()
        out = h * h + h.exp()
        out.backward()
        refs = [weakref.ref(v) for v in (h, out)]
        del h, out
        assert all(r() is None for r in refs), "the graph held a reference cycle"
        assert x.grad != 0.0
    finally:
        gc.enable()


def test_unary_and_binary_nodes_hold_no_tuples():
    """CPython's collector walks every container a live graph holds. A unary or binary node
    keeps its parents and local derivatives in its own slots, so the only containers it
    refers to are its parents (and its class); an n-ary node holds two tuples."""
    x, w = Value(2.0), Value(3.0)
    for node in (x * w, x + 1.0, w - x, x / w, x.tanh(), x.relu(), -x, x**2, x**w):
        containers = [r for r in gc.get_referents(node) if gc.is_tracked(r) and r is not Value]
        assert containers and all(type(r) is Value for r in containers), (node.op, containers)
        assert set(containers) <= {x, w, *node.parents}
    n_ary = linear([w, w], [x, 1.0], x)
    referents = gc.get_referents(n_ary)
    assert any(r is n_ary.parents for r in referents) and any(r is n_ary.local_grads for r in referents)
    assert n_ary.parents[:3] == (w, w, x) and n_ary.local_grads == (2.0, 1.0, 3.0, 3.0, 1.0)


def test_no_grad_records_no_history_and_nests():
    w = Value(3.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        with no_grad():
            y = w * 2
        assert not is_grad_enabled()
        z = y + w
    assert is_grad_enabled()
    assert y.is_leaf and z.is_leaf and z.data == 9.0
    out = z * w
    out.backward()
    assert w.grad == 9.0  # only through the recorded edge, not through z


def test_no_grad_restores_state_on_exception():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()


def test_no_grad_as_decorator():
    @no_grad()
    def predict(v):
        return v * 2

    assert predict(Value(1.0)).is_leaf
    assert is_grad_enabled()


def _walk_backward(root):
    """backward as its definition reads: in topological order, each node passes grad * local
    to each parent, or 0 along an edge torch masks (relu of an input <= 0); every grad is
    0.0 plus its contributions, a non-leaf's from scratch, a leaf's onto what it held."""
    grads = {v: v.grad for v in topological_order(root) if v.is_leaf}
    grads[root] = 1.0
    for node in reversed(topological_order(root)):  # newest first: consumers before their inputs
        if node.is_leaf:
            continue
        for parent, local in zip(node.parents, node.local_grads):
            masked = node.op == "relu" and parent.data <= 0.0
            amount = 0.0 if masked else grads[node] * local
            grads[parent] = grads.get(parent, 0.0) + amount
    return grads


@pytest.mark.parametrize("seed", range(25))
def test_backward_gives_the_plain_walk_bit_for_bit(seed):
    """The engine's backward (found, sorted, accumulated and skipped its own way) leaves
    every grad exactly as the plain walk does, signed zeros, infinities and NaN included."""
    rng = random.Random(seed)
    leaves, nodes, root = random_graph(rng)
    for leaf in leaves:
        leaf.grad = rng.choice([0.0, -0.0, 0.5])  # leaves accumulate onto what they hold
    for v in nodes:
        v.grad = rng.choice([7.0, -0.0]) if not v.is_leaf else v.grad  # stale grads from "earlier passes"
    expected = _walk_backward(root)
    root.backward()
    for v, g in expected.items():
        assert same_float(v.grad, g), (v, g)


def test_backward_twice_recomputes_interior_grads():
    x = Value(3.0)
    y = (x * x).tanh() * 2.0
    y.backward()
    first = [v.grad for v in topological_order(y) if not v.is_leaf]
    y.backward()
    assert [v.grad for v in topological_order(y) if not v.is_leaf] == first


def test_every_node_sets_every_slot_however_it_was_made():
    """Leaves included (a user's, a constant, one made under no_grad, a copy, a loaded one):
    what a node holds never depends on how it was made."""
    import copy
    import pickle

    x = Value(2.0, "x")
    y = x * 3.0
    with no_grad():
        quiet = x * x
    made = [x, y, y.parents[1], quiet, linear([x], [y], x), copy.copy(x), copy.copy(y), pickle.loads(pickle.dumps(y))]
    slots = [s for s in Value.__slots__ if s != "__weakref__"]
    for v in made:
        assert [s for s in slots if not hasattr(v, s)] == [], v
    assert [v.is_constant for v in made] == [False, False, True, False, False, False, False, False]


def test_doctests_of_the_engine():
    import doctest

    import chainrule.engine
    from chainrule.engine import custom, modes, nary, pickling, value

    for module in (chainrule.engine, value, nary, custom, modes, pickling):
        assert doctest.testmod(module).failed == 0, module.__name__
