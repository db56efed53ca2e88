"""backward(): accumulation rules, deep graphs, freeing, no_grad."""

import gc
import sys
import weakref

import pytest

from chainrule import Value, is_grad_enabled, no_grad


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
