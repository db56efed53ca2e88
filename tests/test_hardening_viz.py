"""Issue 16, for drawing, explaining and checking: raw errors become chainrule's own, and
neither a drawing nor an explanation grows with the depth of the graph past a bound.

Each test here failed before the commit that added it, except those that pin what held
already: gradcheck's checks of each input and of eps, explain's max_paths=-1, gradcheck on a
tuple, a range or a numpy array, and a chain of ten terms written whole.
"""

from __future__ import annotations

import time

import pytest

from chainrule import Value, draw_dot, explain, gradcheck
from chainrule.gradchecking import numerical_gradient
from chainrule.viz import save_svg
from chainrule.viz.graph import draw as viz_graph


def chain(length: int, factor: float = 1.00001, label: str = "x") -> tuple[Value, Value]:
    """x and the output of `length` multiplications by a constant: 2 * length + 1 nodes."""
    x = Value(1.0, label)
    v = x
    for _ in range(length):
        v = v * factor
    return x, v


def square(x: Value) -> Value:
    return x * x


# -- 1. raw errors ------------------------------------------------------------------------


@pytest.mark.parametrize("highlight", [5, 2.5, True])
def test_draw_dot_highlight_that_is_neither_a_value_nor_values(highlight):
    x = Value(2.0, "x")
    with pytest.raises(
        TypeError, match=rf"draw_dot: highlight must be a Value, Values or None, got {type(highlight).__name__}"
    ):
        draw_dot(x * x, highlight=highlight)


def test_save_svg_path_that_is_not_a_path():
    x = Value(2.0, "x")
    with pytest.raises(TypeError, match="save_svg: path must be a str or a path, got int"):
        save_svg(x * x, 5)


def test_gradcheck_fn_not_callable():
    with pytest.raises(TypeError, match=r"gradcheck: fn must be callable .*got int 5"):
        gradcheck(5, [1.0])
    with pytest.raises(TypeError, match=r"numerical_gradient: fn must be callable .*got NoneType"):
        numerical_gradient(None, [1.0])


def test_gradcheck_input_that_is_not_a_number():
    with pytest.raises(TypeError, match="gradcheck: input 0 must be a real number, got str 'a'"):
        gradcheck(square, ["a"])


@pytest.mark.parametrize("inputs", [1.0, None, "ab", {1.0}, {"x": 1.0}, Value(1.0)])
def test_gradcheck_inputs_that_are_not_a_sequence(inputs):
    with pytest.raises(
        TypeError, match="gradcheck: inputs must be a list or tuple of numbers or Values, one per argument of fn; got"
    ):
        gradcheck(square, inputs)
    with pytest.raises(
        TypeError, match="numerical_gradient: point must be a list or tuple of numbers, one per argument of fn; got"
    ):
        numerical_gradient(square, inputs)


def test_gradcheck_inputs_may_be_any_sequence():
    assert gradcheck(square, (1.0,))
    assert gradcheck(lambda x, y: x * y, range(1, 3))
    np = pytest.importorskip("numpy")
    assert gradcheck(lambda x, y: x * y, np.array([0.5, -2.0]))
    assert numerical_gradient(square, np.array([3.0])) == pytest.approx([6.0])


def test_gradcheck_empty_inputs():
    with pytest.raises(ValueError, match="gradcheck: inputs is empty"):
        gradcheck(lambda: Value(1.0), [])


def test_gradcheck_inputs_that_fn_cannot_take():
    with pytest.raises(
        TypeError, match=r"gradcheck: fn\(x\) cannot take the 2 inputs given \(too many positional arguments\)"
    ):
        gradcheck(square, [1.0, 2.0])
    with pytest.raises(TypeError, match=r"numerical_gradient: fn\(x, y\) cannot take the 1 input given"):
        numerical_gradient(lambda x, y: x * y, [1.0])
    # An error raised inside fn is fn's own, not one about the inputs.
    with pytest.raises(ZeroDivisionError):
        gradcheck(lambda x: x / 0, [1.0])


@pytest.mark.parametrize(
    ("eps", "error", "message"),
    [
        (0, ValueError, "gradcheck: eps must be a finite number > 0, got 0"),
        (-1e-6, ValueError, "gradcheck: eps must be a finite number > 0"),
        (float("nan"), ValueError, "gradcheck: eps must be a finite number > 0, got nan"),
        ("1e-6", TypeError, "gradcheck: eps must be a real number, got str"),
    ],
)
def test_gradcheck_bad_eps(eps, error, message):
    with pytest.raises(error, match=message):
        gradcheck(square, [1.0], eps=eps)


@pytest.mark.parametrize(
    ("max_paths", "error"), [("3", TypeError), (1.5, TypeError), (True, TypeError), (-1, ValueError)]
)
def test_explain_max_paths_of_the_wrong_type_or_value(max_paths, error):
    x = Value(2.0, "x")
    with pytest.raises(error, match="explain: max_paths must be an int >= 0, got"):
        explain(x * x, x, max_paths=max_paths)


# -- 2. the size of a drawing -------------------------------------------------------------


def test_draw_dot_refuses_a_graph_of_more_than_max_nodes():
    _, out = chain(300)  # 601 nodes
    with pytest.raises(ValueError, match="draw_dot: the graph has 601 nodes, more than max_nodes=500") as e:
        draw_dot(out)
    assert "max_nodes=None" in str(e.value)
    with pytest.raises(ValueError, match="601 nodes, more than max_nodes=600"):
        draw_dot(out, max_nodes=600)
    out.label = "L"
    with pytest.raises(ValueError, match="draw_dot: the graph of 'L' has 601 nodes"):
        draw_dot(out)


def test_draw_dot_draws_up_to_max_nodes_and_anything_with_none():
    _, out = chain(250)  # 501 nodes
    assert "v500" in draw_dot(out, max_nodes=501).source
    _, out = chain(300)
    assert "v600" in draw_dot(out, max_nodes=None).source


@pytest.mark.parametrize(
    ("max_nodes", "error"), [(0, ValueError), (-1, ValueError), ("500", TypeError), (True, TypeError), (5.0, TypeError)]
)
def test_draw_dot_bad_max_nodes(max_nodes, error):
    x = Value(2.0, "x")
    with pytest.raises(error, match="draw_dot: max_nodes must be a positive int or None"):
        draw_dot(x * x, max_nodes=max_nodes)


def test_save_svg_of_a_long_chain_refuses_at_once(tmp_path, monkeypatch):
    def never(graph):
        raise AssertionError("save_svg rendered a graph it should have refused")

    monkeypatch.setattr(viz_graph, "render_svg", never)
    _, out = chain(5_000)  # 10,001 nodes: Graphviz would take minutes
    start = time.perf_counter()
    with pytest.raises(ValueError, match="10001 nodes, more than max_nodes=500"):
        save_svg(out, tmp_path / "chain.svg")
    assert time.perf_counter() - start < 5.0
    assert not (tmp_path / "chain.svg").exists()
    with pytest.raises(ValueError, match="more than max_nodes=100"):
        save_svg(chain(60)[1], tmp_path / "chain.svg", max_nodes=100)


def test_save_svg_passes_max_nodes_none_through(tmp_path):
    _, out = chain(260)  # 521 nodes: a second or two for dot
    path = save_svg(out, tmp_path / "chain.svg", max_nodes=None, show_local=False)
    assert path.read_text(encoding="utf-8").count('class="node"') == 521 + 260


# -- 3. the size of an explanation -----------------------------------------------------------


def labelled_chain(terms: int) -> tuple[Value, Value]:
    """x, then a1 = 2 x, a2 = 2 a1, ...: a path of `terms` terms, each with the number 2."""
    x = Value(1.0, "x")
    v = x
    for i in range(1, terms + 1):
        v = v * 2.0
        v.label = f"a{i}"
    return x, v


def test_a_chain_of_ten_terms_is_written_whole():
    x, out = labelled_chain(10)
    symbols = " · ".join(f"da{i}/da{i - 1}" for i in range(10, 1, -1)) + " · da1/dx"
    assert str(explain(out, x)) == f"da10/dx = {symbols} = {' · '.join(['2'] * 10)} = 1024"


def test_a_chain_of_more_terms_is_written_with_the_middle_elided():
    x, out = labelled_chain(11)
    assert str(explain(out, x)) == (
        "da11/dx = da11/da10 · da10/da9 · da9/da8 · ... (5 more terms) ... · da3/da2 · da2/da1 · da1/dx"
        " = 2 · 2 · 2 · ... · 2 · 2 · 2 = 2048"
    )
    assert explain(out, x).latex() == (
        r"$$\frac{\partial \mathrm{a11}}{\partial x} = \frac{\partial \mathrm{a11}}{\partial \mathrm{a10}}"
        r" \cdot \frac{\partial \mathrm{a10}}{\partial \mathrm{a9}}"
        r" \cdot \frac{\partial \mathrm{a9}}{\partial \mathrm{a8}}"
        r" \cdot \cdots \text{ (5 more terms) } \cdots"
        r" \cdot \frac{\partial \mathrm{a3}}{\partial \mathrm{a2}}"
        r" \cdot \frac{\partial \mathrm{a2}}{\partial \mathrm{a1}}"
        r" \cdot \frac{\partial \mathrm{a1}}{\partial x}"
        r" = 2 \cdot 2 \cdot 2 \cdot \cdots \cdot 2 \cdot 2 \cdot 2 = 2048$$"
    )


def test_explain_of_a_deep_chain_is_small_and_keeps_every_factor():
    x, out = chain(100_000)
    start = time.perf_counter()
    e = explain(out, x)
    text, markdown = str(e), e.latex()
    assert time.perf_counter() - start < 15.0  # about a second; a quadratic step would take hours
    assert len(text.encode()) < 2_000 and len(markdown.encode()) < 2_000
    assert "\n" not in text and "(99994 more terms)" in text and r"\text{ (99994 more terms) }" in markdown
    assert text.startswith("dmul₁₀₀₀₀₀/dx = dmul₁₀₀₀₀₀/dmul₉₉₉₉₉ · dmul₉₉₉₉₉/dmul₉₉₉₉₈ · ")
    (path,) = e.paths
    assert len(path.factors) == len(path.terms) == 100_000 and len(path.nodes) == 100_001
    assert e.gradient == path.product == pytest.approx(1.00001**100_000)


def test_explain_of_many_deep_paths_stays_small_per_path():
    x, out = chain(2_000)
    for _ in range(3):
        out = out + out  # 8 paths of 2,000 multiplications; the sums fold away
    e = explain(out, x, max_paths=5)
    lines = str(e).splitlines()
    assert len(lines) == 7 and e.path_count == 8
    assert all(len(line.encode()) < 2_000 for line in lines)
    assert all(len(line.encode()) < 2_000 for line in e._repr_markdown_().splitlines())
