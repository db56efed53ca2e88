"""gradcheck_nodes: every stored local derivative against a central difference of the node's
own op; planted mistakes are caught and named, and every built-in passes away from kinks.
Also draw_dot(check=...) marking the failures, and its note when backward has not run."""

from __future__ import annotations

import math
import pickle

import pytest
from hypothesis import assume, given, settings

import chainrule
from chainrule import NodeFailure, Value, draw_dot, gradcheck_nodes, op
from chainrule.engine import linear, logsumexp

from .reference import CHAINRULE_OPS, build, inputs, steps


@op("cube")
def wrong_cube(x):
    return x**3, (2 * x**2,)  # should be 3 x**2


@op("tanh")
def wrong_tanh(x):
    t = math.tanh(x)
    return t, (1 - t,)  # should be 1 - t**2


@op("scale2")
def wrong_second(a, b):
    return a * b * 2, (2 * b, a)  # the second should be 2 a


def test_planted_wrong_derivative_is_caught_and_named():
    x = Value(2.0, "x")
    y = wrong_cube(x) * 1.5
    (failure,) = gradcheck_nodes(y)
    assert isinstance(failure, NodeFailure)
    assert failure.node is y.parents[0] and failure.name == "cube₁" and failure.op == "cube"
    assert failure.parent is x and failure.parent_name == "x" and failure.index == 0
    assert failure.analytical == 8.0  # 2 * 2**2, as stored
    assert failure.numerical == pytest.approx(12.0, rel=1e-6)  # 3 * 2**2, by hand
    assert str(failure) == "cube₁ = cube(x): dcube₁/dx is 8 by its stored local derivative, 12 by central differences"
    assert "\n" not in str(failure) and str(failure) in repr(failure)


def test_the_wrong_edge_of_two_is_named():
    a, b = Value(3.0, "a"), Value(-0.5, "b")
    out = wrong_second(a, b)
    out.label = "s"
    (failure,) = gradcheck_nodes(out)
    assert (failure.name, failure.parent, failure.index) == ("s", b, 1)
    assert failure.analytical == 3.0 and failure.numerical == pytest.approx(6.0, rel=1e-6)


def test_a_parent_used_twice_says_which_input_edge():
    x = Value(1.5, "x")
    (failure,) = gradcheck_nodes(wrong_second(x, x))
    assert failure.index == 1 and failure.parent is x
    assert "(input 1)" in str(failure)


def test_a_custom_op_named_like_a_builtin_does_not_taint_the_builtin():
    x = Value(0.4, "x")
    built_in = x.tanh()
    custom = wrong_tanh(x)
    failures = gradcheck_nodes(built_in + custom)
    assert [f.node for f in failures] == [custom]
    assert failures[0].name == "tanh₂"  # made second: named as explain names it


def test_right_graphs_pass_and_grads_are_untouched():
    x, y = Value(0.7, "x"), Value(-1.3, "y")
    out = (x * y).tanh() + x.exp() / (y * y + 1) - x.sigmoid() ** 2 + (x - y).relu() + x.leaky_relu(0.2)
    out = out + y.leaky_relu(0.3) + (x * x).log() + x.sqrt() + y.abs() + x.sin() * y.cos() + y.softplus() - (-x)
    out = out + x**y + linear([x, y], [y, 3.0], x) + logsumexp([x, y, out])
    assert gradcheck_nodes(out) == []
    assert x.grad == 0.0 and out.grad == 0.0


@settings(max_examples=60, deadline=None)
@given(program=steps, point=inputs)
def test_every_builtin_passes_at_random_points_away_from_kinks(program, point):
    kinks: list[Value] = []
    xs = [Value(p) for p in point]
    out = build(program, kinks)(CHAINRULE_OPS, *xs)
    assume(all(abs(k.data) > 1e-3 for k in kinks))
    assume(all(math.isfinite(v.data) and abs(v.data) < 1e6 for v in chainrule.engine.topological_order(out)))
    assert gradcheck_nodes(out) == []


def test_a_kink_fails_as_documented():
    x = Value(0.0, "x")
    (failure,) = gradcheck_nodes(x.relu())
    assert failure.analytical == 0.0 and failure.numerical == pytest.approx(0.5)


def test_an_edge_whose_nudge_leaves_the_domain_is_skipped():
    x = Value(1e-7, "x")
    assert gradcheck_nodes(x.log()) == []  # x - eps < 0: log cannot be taken there


def test_a_leaf_has_nothing_to_check():
    assert gradcheck_nodes(Value(1.0)) == []


def test_a_copied_custom_node_is_still_checked():
    y = wrong_cube(Value(2.0, "x"))
    (failure,) = gradcheck_nodes(pickle.loads(pickle.dumps(y)))
    assert failure.op == "cube" and failure.analytical == 8.0


def test_tolerances_are_used():
    y = wrong_cube(Value(2.0, "x"))
    assert gradcheck_nodes(y, atol=5.0) == []  # |8 - 12| <= 5
    assert gradcheck_nodes(y, rtol=0.4) == []  # |8 - 12| <= 0.4 * 12
    assert len(gradcheck_nodes(y, rtol=0.3)) == 1


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="gradcheck_nodes"):
        gradcheck_nodes(1.0)
    with pytest.raises(ValueError, match="eps"):
        gradcheck_nodes(Value(1.0), eps=0.0)
    with pytest.raises(ValueError, match="atol"):
        gradcheck_nodes(Value(1.0), atol=-1.0)


def test_doctest_of_the_module():
    import doctest

    import chainrule.nodechecking

    assert doctest.testmod(chainrule.nodechecking).failed == 0


# -- the drawing -------------------------------------------------------------------------


@pytest.fixture
def graphviz():
    return pytest.importorskip("graphviz")


def test_draw_dot_marks_the_failing_edge_and_its_op(graphviz):
    x = Value(2.0, "x")
    y = (wrong_cube(x) * x).tanh()
    failures = gradcheck_nodes(y)
    marked = draw_dot(y, check=failures).source
    plain = draw_dot(y).source
    assert "8 ≠ 12" in marked and "8 ≠ 12" not in plain
    assert marked.count("dashed") == 2 and "dashed" not in plain  # the edge and the oval
    assert "gradcheck_nodes" in marked and "gradcheck_nodes" not in plain  # the legend's row
    assert draw_dot(y, check=[]).source == plain


def test_draw_dot_refuses_a_check_that_is_not_failures_of_this_graph(graphviz):
    y = wrong_cube(Value(2.0))
    other = wrong_cube(Value(3.0))
    with pytest.raises(TypeError, match="check"):
        draw_dot(y, check=[1])
    with pytest.raises(TypeError, match="check"):
        draw_dot(y, check=gradcheck_nodes(y)[0])
    with pytest.raises(ValueError, match="not in the graph"):
        draw_dot(y, check=gradcheck_nodes(other))


def test_draw_dot_notes_when_backward_has_not_run(graphviz):
    x = Value(2.0, "x")
    y = x * x + 1
    note = "backward() has not run"
    assert note in draw_dot(y).source
    y.backward()
    assert note not in draw_dot(y).source
    assert note not in draw_dot(x).source  # a leaf has no backward to run
    z = x * 3  # a new graph on a leaf whose grad is set: not every grad is 0
    assert note not in draw_dot(z).source
