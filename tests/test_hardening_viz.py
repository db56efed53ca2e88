"""Issue 16, for drawing, explaining and checking: raw errors become chainrule's own, and
neither a drawing nor an explanation grows with the depth of the graph past a bound.

Each test here failed before the commit that added it, except those that pin what held
already: gradcheck's checks of each input and of eps, explain's max_paths=-1, gradcheck on a
tuple, a range or a numpy array, and a chain of ten terms written whole.
"""

from __future__ import annotations

import pytest

from chainrule import Value, draw_dot
from chainrule.viz import save_svg


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


# -- 2. the size of a drawing -------------------------------------------------------------


# -- 3. the size of an explanation -----------------------------------------------------------


def labelled_chain(terms: int) -> tuple[Value, Value]:
    """x, then a1 = 2 x, a2 = 2 a1, ...: a path of `terms` terms, each with the number 2."""
    x = Value(1.0, "x")
    v = x
    for i in range(1, terms + 1):
        v = v * 2.0
        v.label = f"a{i}"
    return x, v
