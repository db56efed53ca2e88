"""chainrule.exercises: each checker passes a correct solution and catches the usual wrong
ones with a verdict that names the case and gives a hint, never with a traceback."""

from __future__ import annotations

import copy
import math
import sys

import chainrule
from chainrule import Value as ChainValue
from chainrule.exercises import (
    Verdict,
    check_backward,
    check_local_derivative,
    check_ops,
    check_topological_sort,
    check_training_step,
)
from chainrule.nn import mse_loss

# -- a learner's minimal engine, right, and with the usual mistakes ----------------------


class Scalar:
    """A minimal scalar autodiff node as a learner writes it: +, *, tanh, and backward."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._prev = set(_children)
        self._op = _op
        self._backward = lambda: None

    def __add__(self, other):
        out = Scalar(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        out = Scalar(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Scalar(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        order = iterative_sort(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


def iterative_sort(root):
    order, done, stack = [], set(), [(root, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            order.append(v)
            continue
        if v in done:
            continue
        done.add(v)
        stack.append((v, True))
        stack.extend((p, False) for p in v._prev)
    return order


def recursive_sort(root):
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for p in v._prev:
                visit(p)
            order.append(v)

    visit(root)
    return order


def sort_without_visited_check(root):
    """Lists a reused node each time it is reached."""
    order = []
    stack = [(root, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            order.append(v)
        else:
            stack.append((v, True))
            stack.extend((p, False) for p in v._prev)
    return order


def sort_marking_too_early(root):
    """Pre-order with a visited set: a reused node can come before a node using it."""
    order, seen, stack = [], set(), [root]
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        order.append(v)
        stack.extend(v._prev)
    return order[::-1]


def sort_missing_leaves(root):
    return [v for v in iterative_sort(root) if v._prev]


class SettingScalar(Scalar):
    """* sets its inputs' grads instead of adding to them."""

    def __mul__(self, other):
        out = SettingScalar(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        out = SettingScalar(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad = out.grad

        out._backward = _backward
        return out

    def tanh(self):
        out = Scalar.tanh(self)
        made = SettingScalar(out.data, (self,), "tanh")
        t = out.data

        def _backward():
            self.grad += (1 - t * t) * made.grad

        made._backward = _backward
        return made


class NoChainScalar(Scalar):
    """tanh forgets to multiply by out.grad."""

    def tanh(self):
        t = math.tanh(self.data)
        out = NoChainScalar(t, (self,), "tanh")

        def _backward():
            self.grad += 1 - t * t

        out._backward = _backward
        return out

    def __add__(self, other):
        out = Scalar.__add__(self, other)
        return _retype(out, NoChainScalar)

    def __mul__(self, other):
        out = Scalar.__mul__(self, other)
        return _retype(out, NoChainScalar)


def _retype(v, cls):
    v.__class__ = cls
    return v


class RecursiveScalar(Scalar):
    def backward(self):
        order = recursive_sort(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()

    __add__ = lambda self, other: _retype(Scalar.__add__(self, other), RecursiveScalar)  # noqa: E731
    __mul__ = lambda self, other: _retype(Scalar.__mul__(self, other), RecursiveScalar)  # noqa: E731
    tanh = lambda self: _retype(Scalar.tanh(self), RecursiveScalar)  # noqa: E731


class ForwardOrderScalar(Scalar):
    """backward walks the nodes oldest first: grads pass on before they are complete."""

    def backward(self):
        self.grad = 1.0
        for v in iterative_sort(self):
            v._backward()

    __add__ = lambda self, other: _retype(Scalar.__add__(self, other), ForwardOrderScalar)  # noqa: E731
    __mul__ = lambda self, other: _retype(Scalar.__mul__(self, other), ForwardOrderScalar)  # noqa: E731
    tanh = lambda self: _retype(Scalar.tanh(self), ForwardOrderScalar)  # noqa: E731


def assert_fails(verdict: Verdict, case: str, *hint_words: str) -> None:
    assert isinstance(verdict, Verdict)
    assert not verdict and not verdict.passed
    assert verdict.case == case, str(verdict)
    text = str(verdict)
    assert text.startswith("NOT YET") and case in text
    for word in hint_words:
        assert word in verdict.hint, text


# -- the local derivative of an op ------------------------------------------------------


def test_local_derivative_passes_a_right_op():
    @chainrule.op("cube")
    def cube(x):
        return x**3, (3 * x**2,)

    verdict = check_local_derivative(cube)
    assert verdict and verdict.passed and str(verdict).startswith("PASSED")


def test_local_derivative_catches_a_planted_mistake_with_both_numbers():
    @chainrule.op("cube")
    def cube(x):
        return x**3, (2 * x**2,)

    verdict = check_local_derivative(cube, [(2.0,)])
    assert_fails(verdict, "cube at 2")
    assert verdict.expected.startswith("12 ") and verdict.got.startswith("8,")  # 3 * 4 and 2 * 4


def test_local_derivative_of_two_inputs_names_the_wrong_one():
    @chainrule.op("hyp")
    def hyp(a, b):
        r = math.hypot(a, b)
        return r, (a / r, a / r)  # the second should be b / r

    verdict = check_local_derivative(hyp, [(3.0, 4.0)])
    assert_fails(verdict, "hyp at 3, 4")
    assert "along b" in verdict.got and verdict.expected.startswith("0.8 ")
    assert_fails(check_local_derivative(hyp), "hyp at 0.5, -1.2")  # default points: two inputs each


def test_local_derivative_reports_a_blank_and_a_crash_kindly():
    @chainrule.op("blank")
    def blank(x):
        raise NotImplementedError

    @chainrule.op("broken")
    def broken(x):
        return x, ()

    assert_fails(check_local_derivative(blank, [1.0]), "blank at 1", "blank")
    verdict = check_local_derivative(broken, [1.0])
    assert_fails(verdict, "broken at 1")
    assert "ValueError" in verdict.got and "'broken'" in verdict.got


# -- each op's _backward ------------------------------------------------------------------


def test_ops_pass_a_right_class():
    assert check_ops(Scalar).passed


def test_ops_catch_setting_instead_of_adding():
    assert_fails(check_ops(SettingScalar), "a + b", "+=")


def test_ops_catch_a_missing_upstream_factor():
    assert_fails(check_ops(NoChainScalar), "tanh(a)", "out.grad")


# -- the topological sort -----------------------------------------------------------------


def test_sort_passes_an_iterative_sort():
    verdict = check_topological_sort(iterative_sort, Scalar)
    assert verdict.passed, str(verdict)
    assert verdict.cases == 8


def test_sort_reports_recursion_too_deep_kindly():
    verdict = check_topological_sort(recursive_sort, Scalar)
    assert_fails(verdict, f"a chain {max(2 * sys.getrecursionlimit(), 2000)} steps deep", "stack")
    assert verdict.got == "RecursionError"


def test_sort_catches_a_reused_node_listed_twice():
    # x * x passes: a set of children holds x once; the first graph reaching a leaf twice fails.
    assert_fails(check_topological_sort(sort_without_visited_check, Scalar), "a used by three nodes", "visited")


def test_sort_catches_a_reused_node_out_of_order():
    verdict = check_topological_sort(sort_marking_too_early, Scalar)
    assert not verdict and "inputs" in verdict.hint  # which graph shows it first depends on set order
    assert verdict.expected == "every node after the nodes in its _prev"


def test_sort_catches_missing_nodes_and_names_one():
    verdict = check_topological_sort(sort_missing_leaves, Scalar)
    assert_fails(verdict, "a + b")
    assert "without the leaf with data" in verdict.got and verdict.expected == "all 3 nodes"


def test_sort_reports_a_blank_and_a_wrong_return_type():
    def blank(root):
        raise NotImplementedError("write the sort")

    assert_fails(check_topological_sort(blank, Scalar), "a + b", "blank")
    assert_fails(check_topological_sort(lambda root: None, Scalar), "a + b", "return")


# -- backward -------------------------------------------------------------------------------


def test_backward_passes_a_right_class():
    verdict = check_backward(Scalar)
    assert verdict.passed, str(verdict)


def test_backward_catches_setting_instead_of_accumulating():
    verdict = check_backward(SettingScalar)
    assert_fails(verdict, "x * x (x used twice)", "+=")
    assert verdict.expected == "grad 6" and "grad 3 " in verdict.got  # d(x*x)/dx = 2x at x = 3


def test_backward_catches_the_wrong_order():
    verdict = check_backward(ForwardOrderScalar)
    assert not verdict
    assert "reverse topological order" in verdict.hint


def test_backward_reports_a_recursive_sort_on_the_deep_graph():
    verdict = check_backward(RecursiveScalar)
    assert verdict.case.startswith("a chain") and verdict.got == "RecursionError"


# -- a training step --------------------------------------------------------------------------


def right_step(model, xs, ys, lr):
    model.zero_grad()
    loss = mse_loss([model(x)[0] for x in xs], ys)
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def step_without_zero_grad(model, xs, ys, lr):
    loss = mse_loss([model(x)[0] for x in xs], ys)
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def step_uphill(model, xs, ys, lr):
    model.zero_grad()
    loss = mse_loss([model(x)[0] for x in xs], ys)
    loss.backward()
    for p in model.parameters():
        p.data += lr * p.grad
    return loss


def test_training_step_passes_a_right_step():
    verdict = check_training_step(right_step)
    assert verdict.passed, str(verdict)


def test_training_step_catches_leftover_grads_on_the_second_step():
    assert_fails(check_training_step(step_without_zero_grad), "step 2", "zero_grad")


def test_training_step_catches_the_wrong_sign():
    assert_fails(check_training_step(step_uphill), "step 1", "against the gradient")


def test_training_step_reference_is_independent_of_the_checker():
    """One step by hand on a copy gives parameters that differ from the start (the check can fail)."""
    from chainrule.nn import MLP

    model = MLP(2, [3, 1], activation="tanh", seed=0)
    start = [p.data for p in copy.deepcopy(model).parameters()]
    right_step(model, [[0.5, -1.0]], [1.0], 0.1)
    assert any(p.data != s for p, s in zip(model.parameters(), start))


def test_checkers_never_raise_for_a_learner_class_that_is_no_value_class():
    for verdict in (check_ops(object), check_backward(int), check_topological_sort(iterative_sort, str)):
        assert isinstance(verdict, Verdict) and not verdict


def test_chainrule_values_pass_as_a_learner_value():
    """chainrule's own Value, with micrograd's `_prev` and `_backward()`, passes every check."""
    assert check_backward(ChainValue).passed
    assert check_ops(ChainValue).passed


def test_doctests_of_the_checkers():
    import doctest

    import chainrule.exercises.checkers

    assert doctest.testmod(chainrule.exercises.checkers).failed == 0
