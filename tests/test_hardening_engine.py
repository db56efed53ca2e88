"""The engine under threads, pickling, non-finite numbers and misuse (issue 16)."""

from __future__ import annotations

import copy
import json
import math
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chainrule import Value, is_grad_enabled, no_grad
from chainrule.engine import enter_scope, restore_scope, topological_order
from chainrule.nn import MLP
from tests.reference import assert_matches_torch, needs_torch, run_chainrule, run_torch

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
        with no_grad():
            token = enter_scope("quiet's module")
            inside.set()
            assert built.wait(10)
            seen["quiet"] = (Value(2.0) * 3).is_leaf
            restore_scope(token)

    def recording():
        assert inside.wait(10)
        w = Value(2.0)
        y = w * 3
        seen["recording"] = (y.is_leaf, is_grad_enabled(), y.scope, Value(0.0).scope)
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


# -- 3. pickle and deepcopy -------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent  # the checkout whose chainrule the subprocesses import

BUILD = """
import pickle, sys
from chainrule import Value
x, w = Value(0.5, "x"), Value(-1.5, "w")
h = x
for _ in range(40):
    h = (h * w).tanh() + x * 0.1
with open(sys.argv[1], "wb") as f:
    pickle.dump((x, w, h), f)
"""

EXTEND = """
import json, pickle, sys
from chainrule import Value
with open(sys.argv[1], "rb") as f:
    x, w, h = pickle.load(f)  # a fresh process: its stamps start again where the first's did
b = Value(2.0, "b")
out = (h * b + w) * h
out.backward()
print(json.dumps([x.grad, w.grad, b.grad, h.grad, out.data]))
"""


def _extended_here():
    """The graph BUILD and EXTEND make, built and differentiated in this process."""
    x, w = Value(0.5, "x"), Value(-1.5, "w")
    h = x
    for _ in range(40):
        h = (h * w).tanh() + x * 0.1
    b = Value(2.0, "b")
    out = (h * b + w) * h
    out.backward()
    return [x.grad, w.grad, b.grad, h.grad, out.data]


def _python(code, *args):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_graph_pickled_in_one_process_extends_in_another(tmp_path):
    path = str(tmp_path / "graph.pickle")
    _python(BUILD, path)
    assert json.loads(_python(EXTEND, path)) == _extended_here()


def _deep_chain(depth):
    x = Value(1.5, "x")
    y = x
    for _ in range(depth):  # even: y is x
        y = -y
    return x, y * x


COPIES = pytest.mark.parametrize(
    "copy_it", [lambda v: pickle.loads(pickle.dumps(v)), copy.deepcopy], ids=["pickle", "copy"]
)


@COPIES
def test_a_1e5_deep_graph_pickles_and_copies_and_backpropagates(copy_it):
    x, out = copy_it(_deep_chain(100_000))
    assert out.data == 2.25 and x.label == "x"
    (out * 2.0).backward()  # extended after loading: the new node must come first in the walk
    assert x.grad == 6.0


@COPIES
def test_copies_keep_shared_nodes_shared_and_modules_with_them(copy_it):
    model = MLP(2, [3, 1], seed=0)
    hidden = model.layers[0]([0.5, -1.0])
    out = model.layers[1](hidden)[0]
    loss = (out - 1.0) ** 2
    loss.backward()
    model2, hidden2, loss2 = copy_it((model, hidden, loss))
    assert [p.grad for p in model2.parameters()] == [p.grad for p in model.parameters()]
    model2.zero_grad()
    loss2.backward()
    assert [p.grad for p in model2.parameters()] == [p.grad for p in model.parameters()]
    assert [h.grad for h in hidden2] == [h.grad for h in hidden]  # the copy's own hidden nodes
    assert set(hidden2) <= set(topological_order(loss2))
    assert loss2.scope == loss.scope == () and hidden2[0].scope[0] is model2.layers[0]


def test_copy_copy_is_a_new_node_on_the_same_parents():
    x = Value(2.0)
    y = x * x
    z = copy.copy(y)
    assert z is not y and z.parents == y.parents and z.local_grads == y.local_grads
    (z + y).backward()
    assert x.grad == 8.0


# -- 4. non-finite values: torch's answers, or a documented difference ---------------------

INF, NAN = math.inf, math.nan


@pytest.mark.parametrize("x", [INF, -INF])
@pytest.mark.parametrize("op", ["sin", "cos"])
def test_sin_and_cos_of_infinity_are_nan(op, x):
    v = Value(x)
    y = getattr(v, op)()
    y.backward()
    assert math.isnan(y.data) and math.isnan(y.local_grads[0]) and math.isnan(v.grad)


def test_relu_passes_the_gradient_at_nan_as_torch_does():
    v = Value(NAN)
    y = v.relu()
    y.backward()
    assert math.isnan(y.data) and y.local_grads == (1.0,) and v.grad == 1.0


@pytest.mark.parametrize("op", ["log", "sqrt"])
def test_slope_at_minus_zero_is_minus_infinity(op):
    """1/x and 1/(2 sqrt x) at -0.0, as IEEE division (and torch) gives them."""
    minus, plus = getattr(Value(-0.0), op)(), getattr(Value(0.0), op)()
    assert minus.local_grads == (-INF,) and plus.local_grads == (INF,)


@needs_torch
@pytest.mark.parametrize(
    ("fn", "x"),
    [
        (lambda ops, a: a.sin(), INF),
        (lambda ops, a: a.cos(), -INF),
        (lambda ops, a: a.relu(), NAN),
        (lambda ops, a: a.relu() * 2.0, NAN),
        (lambda ops, a: a.log(), -0.0),
        (lambda ops, a: a.log(), 0.0),
        (lambda ops, a: a.sqrt(), -0.0),
        (lambda ops, a: a.sqrt(), 0.0),
        (lambda ops, a: ops.leaky_relu(a, 0.1), NAN),
        (lambda ops, a: a.tanh() * INF, 1e300),  # 0 * inf upstream: nan in both
    ],
)
def test_non_finite_cases_match_torch(fn, x):
    assert_matches_torch(fn, [x])


@needs_torch
@pytest.mark.parametrize(
    "fn", [lambda ops, a: a.relu() * INF, lambda ops, a: (a**0) * NAN], ids=["relu below 0", "x ** 0"]
)
def test_masked_edges_pass_zero_as_in_torch(fn):
    """Once a documented difference (chainrule gave nan * 0 = nan): the edges torch masks
    pass 0 whatever the upstream gradient (tests/test_masked_edges.py has the corpus)."""
    ours, theirs = run_chainrule(fn, [-1.0]), run_torch(fn, [-1.0])
    assert ours[1][0] == theirs[1][0] == 0.0


# -- 5. silent acceptance ------------------------------------------------------------------


@pytest.mark.parametrize(("x", "truth"), [(0.0, False), (-0.0, False), (2.5, True), (-INF, True), (NAN, True)])
def test_a_value_is_true_unless_zero_as_a_torch_scalar(x, truth):
    v = Value(x)
    assert bool(v) is truth
    assert v == v and v != Value(x) and len({v, Value(x)}) == 2  # identity, as before


def test_numpy_bools_are_refused_as_python_bools_are():
    np = pytest.importorskip("numpy")
    for bad in (np.bool_(True), np.True_, np.False_):
        with pytest.raises(TypeError, match="bool"):
            Value(bad)
        with pytest.raises(TypeError):
            Value(1.0) * bad
    assert Value(np.float64(2.0)).data == 2.0 and Value(np.int64(3)).data == 3.0


@pytest.mark.parametrize("x", [2.0, -2.0])
def test_leaky_relu_checks_its_slope_on_both_sides(x):
    with pytest.raises(TypeError, match=r"leaky_relu.*slope.*str"):
        Value(x).leaky_relu("0.1")
    assert Value(x).leaky_relu(1).local_grads == (1.0,)  # an int slope is a number
    assert Value(-2.0).leaky_relu(0.5).data == -1.0


def test_no_grad_on_a_generator_function_records_no_history_inside_it():
    w = Value(3.0)

    @no_grad()
    def predictions(xs):
        for x in xs:
            seen = is_grad_enabled()
            got = yield w * x, seen
            assert got is None or isinstance(got, str)

    gen = predictions([1.0, 2.0, 3.0])
    first, seen = next(gen)
    assert first.is_leaf and not seen
    assert is_grad_enabled() and not (w * 2.0).is_leaf  # the caller, between resumptions
    second, seen = gen.send("hello")
    assert second.is_leaf and not seen and second.data == 6.0
    gen.close()
    assert is_grad_enabled()
    assert [y.is_leaf for y, _ in predictions([1.0, 2.0])] == [True, True]
    assert predictions.__name__ == "predictions"


# -- 6. raw errors -------------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda: Value(10**400), lambda: Value(1.0) * 10**400, lambda: Value(2.0) ** 10**400])
def test_an_int_too_large_for_a_float_is_a_clear_error(make):
    with pytest.raises(ValueError, match=r"(Value|pow).*too large for a float.*1e400"):
        make()


def test_a_label_set_later_is_checked_when_set():
    v = Value(1.0, "v")
    with pytest.raises(TypeError, match=r"label must be a str, got int"):
        v.label = 5
    assert v.label == "v"
    (v * 2).label = "twice"


def test_grad_set_to_none_is_zero_as_torch_optimizers_read_it():
    p = Value(2.0)
    p.grad = None
    assert p.grad == 0.0
    (p * p).backward()
    assert p.grad == 4.0
    p.grad = 3  # a number is stored as a float
    assert type(p.grad) is float and p.grad == 3.0
    with pytest.raises(TypeError, match=r"grad must be a real number"):
        p.grad = "0"
    assert p.grad == 3.0
