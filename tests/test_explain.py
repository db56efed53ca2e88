"""explain(): paths, factors read from the nodes, the gradient, and the written chain rule."""

import math

import pytest
from hypothesis import assume, given

from chainrule import Explanation, Path, Value, explain
from chainrule.notation import node_names
from tests import reference
from tests.reference import CHAINRULE_OPS, build, inputs, steps


def seed_example(label_intermediates=True):
    """Seed 004 as a tuple (x, w, b, y, z, a, L), before backward."""
    n = reference.seed_example(labels=("z", "a", "L") if label_intermediates else ())
    return tuple(n[k] for k in ("x", "w", "b", "y", "z", "a", "L"))


def assert_factors_read_from_nodes(path):
    for i, factor in enumerate(path.factors):
        upper, lower = path.nodes[i], path.nodes[i + 1]
        edges = [local for p, local in zip(upper.parents, upper.local_grads) if p is lower]
        assert factor in edges


def test_seed_example_gradient_of_w():
    _, w, _, _, z, a, L = seed_example()
    e = explain(L, w)
    assert isinstance(e, Explanation) and e.gradient == 8.0
    (path,) = e.paths
    assert isinstance(path, Path)
    assert path.nodes[0] is L and path.nodes[-1] is w
    # One factor per edge: L -> a-y -> a -> z -> w*x -> w, so dL/d(a-y) = 2(a - y) = 4, ..., d(w*x)/dw = x = 2.
    assert path.factors == (4.0, 1.0, 1.0, 1.0, 2.0)
    assert path.product == 8.0
    assert_factors_read_from_nodes(path)
    # As written, unlabelled nodes fold into the labelled ones around them: dL/da, da/dz, dz/dw.
    assert [(u, d) for u, d, _ in path.terms] == [(L, a), (a, z), (z, w)]
    assert [f for _, _, f in path.terms] == [4.0, 1.0, 2.0]
    assert str(e) == "dL/dw = dL/da · da/dz · dz/dw = 4 · 1 · 2 = 8"


def test_seed_example_gradient_of_b_and_x():
    x, _, b, _, _, _, L = seed_example()
    e = explain(L, b)
    assert e.gradient == 4.0
    assert [f for _, _, f in e.paths[0].terms] == [4.0, 1.0, 1.0]
    assert str(e) == "dL/db = dL/da · da/dz · dz/db = 4 · 1 · 1 = 4"
    assert str(explain(L, x)) == "dL/dx = dL/da · da/dz · dz/dx = 4 · 1 · 3 = 12"


def test_gradients_equal_backward():
    x, w, b, y, z, a, L = seed_example()
    explained = [explain(L, v).gradient for v in (x, w, b, y, z, a)]
    L.backward()
    assert explained == [v.grad for v in (x, w, b, y, z, a)]


def test_unlabelled_nodes_are_named_after_their_op():
    # With nothing labelled between output and leaf, every node is a stop except sums and differences.
    _, w, _, _, _, _, L = seed_example(label_intermediates=False)
    assert str(explain(L, w)) == "dpow₁/dw = dpow₁/drelu₁ · drelu₁/dmul₁ · dmul₁/dw = 4 · 1 · 2 = 8"


def test_node_names_are_stable_and_show_constants():
    def graph():
        x = Value(3.0, "x")
        return x, ((x * x).relu() * 2 + x).tanh()

    (x1, out1), (_, out2) = graph(), graph()
    names1, names2 = node_names(out1), node_names(out2)
    assert sorted(names1.values()) == sorted(names2.values())
    assert set(names1.values()) == {"x", "mul₁", "relu₁", "2", "mul₂", "add₁", "tanh₁"}
    assert names1[out1] == "tanh₁" and names1[x1] == "x"


def test_leaf_used_twice_by_one_op_gives_two_paths():
    p = Value(3.0, "p")
    q = p * p
    q.label = "q"
    e = explain(q, p)
    assert len(e.paths) == e.path_count == 2
    assert [path.nodes for path in e.paths] == [(q, p), (q, p)]
    assert [path.factors for path in e.paths] == [(3.0,), (3.0,)]
    q.backward()
    assert e.gradient == p.grad == 6.0
    assert str(e) == "dq/dp = 3 + 3 = 6, the sum over 2 paths:\n  dq/dp = 3\n  dq/dp = 3"


def test_several_paths_are_summed_and_listed():
    a = Value(-2.0, "a")
    d = a * 0.5 + a.tanh() * a
    d.label = "d"
    e = explain(d, a)
    assert e.path_count == 3
    d.backward()
    assert e.gradient == a.grad
    assert math.fsum(p.product for p in e.paths) == pytest.approx(e.gradient, rel=1e-12)
    lines = str(e).splitlines()
    assert lines[0] == "dd/da = 0.5 - 0.1413 - 0.964 = -0.6053, the sum over 3 paths:"
    assert lines[2] == "  dd/dmul₂ · dmul₂/dtanh₁ · dtanh₁/da = 1 · (-2) · 0.07065 = -0.1413"


def test_unconnected_leaf_has_gradient_zero_and_no_paths():
    _, _, _, _, _, _, L = seed_example()
    q = Value(1.0, "q")
    e = explain(L, q)
    assert e.gradient == 0.0 and e.paths == [] and e.path_count == 0
    assert str(e) == "dL/dq = 0 (no path leads here from the output)"
    # A node of the same graph that the output does not depend on either: below it, not above.
    x = Value(2.0, "x")
    h = x * 3.0
    assert explain(x, h).paths == [] and explain(x, h).gradient == 0.0


def test_output_explained_by_itself():
    x = Value(2.0, "x")
    e = explain(x, x)
    assert e.gradient == 1.0 and e.path_count == 1
    assert e.paths[0].nodes == (x,) and e.paths[0].factors == () and e.paths[0].product == 1.0
    assert str(e) == "dx/dx = 1"


def repeated_squares(levels):
    x = Value(1.00001, "x")
    v = x
    for _ in range(levels):
        v = v * v  # two edges to the node below: the path count doubles at each level
    return x, v


def test_max_paths_cuts_the_list_but_not_the_gradient():
    x, out = repeated_squares(20)
    e = explain(out, x)  # enumerating all 2**20 paths would take minutes; this takes milliseconds
    assert e.path_count == 2**20
    assert len(e.paths) == 64 and e.omitted == 2**20 - 64
    out.backward()
    assert e.gradient == x.grad
    # d/dx x**(2**20) = 2**20 x**(2**20 - 1); rounding grows with each of the 20 squarings.
    assert e.gradient == pytest.approx(2**20 * 1.00001 ** (2**20 - 1), rel=1e-6)
    lines = str(e).splitlines()
    assert lines[0] == "dmul₂₀/dx = 3.754e+10, the sum over 1048576 paths; the first 64:"
    assert lines[-1] == "  ... and 1048512 more paths, not listed (the gradient above sums them all)"
    assert len(lines) == 66


def test_max_paths_zero_and_bad_values():
    x, out = repeated_squares(3)
    e = explain(out, x, max_paths=0)
    assert e.paths == [] and e.path_count == 8
    out.backward()
    assert e.gradient == x.grad
    with pytest.raises(ValueError, match="max_paths"):
        explain(out, x, max_paths=-1)
    with pytest.raises(TypeError, match="explain"):
        explain(out, 2.0)


def test_latex_is_typeset_math():
    _, w, _, _, _, _, L = seed_example()
    assert explain(L, w).latex() == (
        r"$$\frac{\partial L}{\partial w} = \frac{\partial L}{\partial a} \cdot \frac{\partial a}{\partial z}"
        r" \cdot \frac{\partial z}{\partial w} = 4 \cdot 1 \cdot 2 = 8$$"
    )
    p = Value(3.0, "p_0")
    md = explain(p * p, p).latex()
    assert md.splitlines() == [
        r"$$\frac{\partial \mathrm{mul}_{1}}{\partial \mathrm{p\_0}} = 3 + 3 = 6\text{, the sum over 2 paths:}$$",
        "",
        r"- $\frac{\partial \mathrm{mul}_{1}}{\partial \mathrm{p\_0}} = 3$",
        r"- $\frac{\partial \mathrm{mul}_{1}}{\partial \mathrm{p\_0}} = 3$",
    ]
    x, out = repeated_squares(20)
    md = explain(out, x, max_paths=1).latex()
    assert md.startswith(r"$$\frac{\partial \mathrm{mul}_{20}}{\partial x} = 3.754 \times 10^{10}")
    assert md.endswith("- ... and 1048575 more paths, not listed (the gradient above sums them all)")


def test_markdown_is_unicode_maths_readable_without_mathjax():
    _, w, _, _, _, _, L = seed_example()
    e = explain(L, w)
    assert e.markdown() == e._repr_markdown_() == "∂L/∂w = ∂L/∂a · ∂a/∂z · ∂z/∂w = 4 · 1 · 2 = 8"
    p = Value(3.0, "p_0")  # Markdown would read _ as emphasis: escaped
    assert explain(p * p, p).markdown().splitlines() == [
        r"∂mul₁/∂p\_0 = 3 + 3 = 6, the sum over 2 paths:",
        "",
        r"- ∂mul₁/∂p\_0 = 3",
        r"- ∂mul₁/∂p\_0 = 3",
    ]
    x, out = repeated_squares(20)  # 2**20 paths: powers of ten in superscript
    md = explain(out, x, max_paths=1).markdown()
    head = "∂mul₂₀/∂x = 3.754 \N{MULTIPLICATION SIGN} 10¹⁰, the sum over 1048576 paths; the first one:"
    assert md.startswith(head + "\n\n- ∂mul₂₀/∂mul₁₉ · ")
    assert " · … · " in md  # a long path's middle left out, as in str()
    assert md.endswith("- ... and 1048575 more paths, not listed (the gradient above sums them all)")
    assert "$" not in md and "\\frac" not in md
    small = Value(1e-5, "s") * Value(2.0, "k")
    assert explain(small, small.parents[1]).markdown() == "∂mul₁/∂k = 1 \N{MULTIPLICATION SIGN} 10⁻⁵"  # d(s·k)/dk = s
    a = Value(1.0, "a")
    d = a - 1
    d.label = "a-y"  # not a plain name: in parentheses after ∂, as str() writes it after d
    loss = d**2
    loss.label = "L"
    assert explain(loss, a).markdown() == "∂L/∂a = ∂L/∂(a-y) · ∂(a-y)/∂a = 0 · 1 = 0"


@given(program=steps, point=inputs)
def test_random_dags_explained_gradient_equals_backward(program, point):
    xs = [Value(p) for p in point]
    out = build(program, [])(CHAINRULE_OPS, *xs)
    assume(math.isfinite(out.data))
    explanations = [explain(out, x, max_paths=10_000) for x in xs]
    out.backward()
    for x, e in zip(xs, explanations):
        assert e.gradient == x.grad or (math.isnan(e.gradient) and math.isnan(x.grad))
        if e.path_count <= 10_000:
            assert len(e.paths) == e.path_count  # the DP count agrees with the enumeration
            terms = [p.product for p in e.paths]
            if all(math.isfinite(t) for t in terms):
                # 1e-300: subnormal terms (5e-324) round differently path by path than summed in backward
                tol = 1e-12 * sum(map(abs, terms)) + 1e-300
                assert math.fsum(terms) == pytest.approx(e.gradient, rel=1e-9, abs=tol)
            for path in e.paths[:50]:
                assert path.nodes[0] is out and path.nodes[-1] is x
                assert_factors_read_from_nodes(path)
