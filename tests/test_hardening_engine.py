"""The engine under threads, pickling, non-finite numbers and misuse (issue 16)."""

from __future__ import annotations

import sys
import threading

import pytest

from chainrule import Value, is_grad_enabled, no_grad
from chainrule.engine import current_scope, module_scope

# -- 1. grad mode and module scope are per thread ------------------------------------------


def _run_threads(*targets):
    """Run each target in its own thread; re-raise the first exception any of them raised."""
    errors = []

    def guarded(target):
        def run():
            try:
                target()
            except BaseException as exc:  # handed to the main thread, which raises it
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_does_not_stop_another_thread_recording():
    inside, built = threading.Event(), threading.Event()
    seen = {}

    def quiet():
        with no_grad(), module_scope("quiet's module"):
            inside.set()
            assert built.wait(10)
            seen["quiet"] = (Value(2.0) * 3).is_leaf

    def recording():
        assert inside.wait(10)
        w = Value(2.0)
        y = w * 3
        seen["recording"] = (y.is_leaf, is_grad_enabled(), y.scope, current_scope())
        built.set()

    _run_threads(quiet, recording)
    assert seen["quiet"] is True
    assert seen["recording"] == (False, True, (), ())


def test_threads_leaving_no_grad_interleaved_leave_grad_mode_on():
    """A enters, B enters, A leaves, B leaves: with one process-wide flag B restored the
    False that A had set, and grad mode stayed off for everyone."""
    steps = [threading.Event() for _ in range(3)]
    after = {}

    def a():
        with no_grad():
            steps[0].set()
            assert steps[1].wait(10)
        after["a"] = is_grad_enabled()
        steps[2].set()

    def b():
        assert steps[0].wait(10)
        with no_grad():
            steps[1].set()
            assert steps[2].wait(10)
        after["b"] = is_grad_enabled()

    _run_threads(a, b)
    assert after == {"a": True, "b": True}
    assert is_grad_enabled() and not (Value(1.0) * 2).is_leaf


def test_one_no_grad_decorator_serves_threads_at_once():
    """A decorated function is one no_grad instance: calls in two threads at once must not
    share its saved states (A, inside an outer no_grad, must get its own False back)."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    @no_grad()
    def predict(v, during):
        during()
        return v * 2

    after = {}

    def a():
        with no_grad():
            predict(Value(1.0), lambda: (a_in.set(), b_in.wait(10)))
            a_out.set()  # A has left predict while B is still inside it
            after["a inside its no_grad"] = is_grad_enabled()
        after["a"] = is_grad_enabled()

    def b():
        assert a_in.wait(10)
        predict(Value(1.0), lambda: (b_in.set(), a_out.wait(10)))
        after["b"] = is_grad_enabled()

    _run_threads(a, b)
    assert after == {"a inside its no_grad": False, "a": True, "b": True}


# -- 2. concurrent backward ---------------------------------------------------------------


def _shared_graph():
    """Two outputs over one big shared interior (about 15,000 nodes), so a backward pass
    lasts several of the interpreter's thread switch intervals."""
    xs = [Value(0.01 * (i + 1), f"x{i}") for i in range(40)]
    h = xs[0]
    for i in range(5000):
        h = h + xs[i % 40] * xs[(7 * i) % 40] * 0.001
    return xs, [h * 2.0, (h * 0.01).tanh() + h * h]


def test_concurrent_backward_gives_leaves_the_sequential_sum():
    xs, roots = _shared_graph()
    passes = 6
    for root in roots:
        for _ in range(passes):
            root.backward()
    expected = [x.grad for x in xs]
    for x in xs:
        x.grad = 0.0
    start = threading.Barrier(len(roots))

    def work(root):
        def run():
            start.wait(10)
            for _ in range(passes):
                root.backward()

        return run

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so that unguarded passes interleave
    try:
        _run_threads(*[work(r) for r in roots])
    finally:
        sys.setswitchinterval(interval)
    assert [x.grad for x in xs] == pytest.approx(expected, rel=1e-12)
