"""Explaining one gradient: the chain rule written out, path by path, with numbers.

`explain(output, leaf)` finds every path from `output` down to `leaf`, reads the
local derivative on each edge from the nodes (`Value.local_grads`), and writes
d output / d leaf as the sum over paths of the product of their factors:

    >>> x, w, b, y = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b"), Value(5.0, "y")
    >>> z = w * x + b; z.label = "z"
    >>> a = z.relu(); a.label = "a"
    >>> L = (a - y) ** 2; L.label = "L"
    >>> print(explain(L, w))
    dL/dw = dL/da · da/dz · dz/dw = 4 · 1 · 2 = 8

How a path is written. Its terms d upper / d lower run between *stops*:

- the output and the leaf are always stops;
- if any node between them is labelled, the labelled nodes are the stops: you
  choose what the chain shows by labelling nodes. Above, `a - y` and `w * x` are
  unlabelled, so dL/da is the product of two edges, 2(a - y) = 4 and 1, and dz/dw
  of two more, 1 and x = 2;
- if no node between them is labelled, every node is a stop except sums and
  differences (ops whose local derivatives are all +-1, `OpNotation.unit_slopes`),
  which would only add factors of 1.

Each term's number is the product of the local derivatives of the edges it spans;
`GradientPath.factors` keeps every edge's own. A path of more than 10 terms is
written as its first three and last three around a count of the others
(`... (99994 more terms) ...`), so the text stays short however deep the graph;
`GradientPath.terms` keeps them all. Unlabelled nodes are named as
`chainrule.notation.node_names` names them, and numbers written as
`notation.format_number` writes them. The gradient is the one the engine's rule
gives (`chainrule.engine.gradients`). Path counts can grow exponentially with depth,
so paths are counted by dynamic programming over the graph, and only the first
`max_paths` are listed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .engine import Value, gradients, topological_order
from .engine.checks import nonnegative_int
from .notation import derivative, format_number, node_names, notation, superscript, wrap_name

__all__ = ["Explanation", "GradientPath", "Path", "explain"]

_INDENT = "  "
# A path of more terms than this is written as its first and last _ENDS terms around a count
# of the rest, so that a line stays short however deep the graph (the path keeps them all).
_MAX_TERMS = 10
_ENDS = 3


@dataclass(frozen=True)
class GradientPath:
    """One path from the output down to the leaf, with the local derivative on each edge.
    (Also importable as `Path`, its first name.)

    `nodes` runs from the output to the leaf; `factors[i]` is d nodes[i] / d nodes[i+1]
    on the edge between them, read from `nodes[i].local_grads`; `product` is their
    product (1.0 for the empty path from a node to itself). `stops` are the indices
    of the nodes the written chain rule stops at (see `terms`).
    """

    nodes: tuple[Value, ...]
    factors: tuple[float, ...]
    product: float
    stops: tuple[int, ...] = field(default=(), repr=False)

    @property
    def terms(self) -> tuple[tuple[Value, Value, float], ...]:
        """The chain rule as written: (upper, lower, d upper / d lower) between stops.

        Each number is the product of the factors of the edges between two stops,
        so for the seed example's w it is (L, a, 4), (a, z, 1), (z, w, 2).
        """
        return tuple(self._term(k) for k in range(len(self.stops) - 1))

    def _term(self, k: int) -> tuple[Value, Value, float]:
        """The k-th of `terms`, alone: writing a long path computes only the terms it shows."""
        i, j = self.stops[k], self.stops[k + 1]
        return self.nodes[i], self.nodes[j], math.prod(self.factors[i:j], start=1.0)


@dataclass(frozen=True, eq=False, repr=False)
class Explanation:
    """How d output / d leaf is built: the gradient and the paths that sum to it.

    `gradient` is the sum over all `path_count` paths (computed over the whole
    graph, so it counts the paths not listed too, and equals what `backward` gives
    the leaf); `paths` lists the first `max_paths` of them, in argument order, and
    `omitted` says how many were left out. `str()` writes the chain rule out with
    names and numbers (`names` maps each node to the name it uses), a path of more
    than 10 terms with its middle left out. Notebooks show `markdown()`: the same lines
    with Unicode maths (∂L/∂w, 1.2 \N{MULTIPLICATION SIGN} 10⁻⁵), readable without MathJax, in a static
    export or on GitHub too; `latex()` gives them typeset, for MathJax or KaTeX.

        >>> p = Value(3.0, "p")
        >>> print(explain(p * p, p))
        dmul₁/dp = 3 + 3 = 6, the sum over 2 paths:
          dmul₁/dp = 3
          dmul₁/dp = 3
    """

    output: Value
    leaf: Value
    gradient: float
    paths: list[GradientPath]
    path_count: int
    names: dict[Value, str] = field(default_factory=dict)

    @property
    def omitted(self) -> int:
        """How many paths are not listed in `paths` (beyond `max_paths`)."""
        return self.path_count - len(self.paths)

    def __repr__(self) -> str:
        plural = "" if self.path_count == 1 else "s"
        return f"Explanation({self._lhs(_TEXT)} = {self.gradient!r}, {self.path_count} path{plural})"

    def __str__(self) -> str:
        return "\n".join(self._lines(_TEXT))

    def markdown(self) -> str:
        """The chain rule as Markdown with Unicode maths, readable anywhere Markdown is:

            >>> print(explain(L, w).markdown())   # doctest: +SKIP
            ∂L/∂w = ∂L/∂a · ∂a/∂z · ∂z/∂w = 4 · 1 · 2 = 8

        Several paths are listed as bullets under the head line, as `str()` indents them."""
        return self._markdown(_MARKDOWN, lambda line: line)

    def latex(self) -> str:
        """The chain rule as Markdown around LaTeX maths (`$$...$$`), for a page with MathJax or KaTeX."""
        return self._markdown(_LATEX, lambda line: f"$${line}$$")

    def _repr_markdown_(self) -> str:
        # Unicode rather than LaTeX: a static export without MathJax shows LaTeX as raw source.
        return self.markdown()

    def _markdown(self, style: _TextStyle, display: Callable[[str], str]) -> str:
        lines = self._lines(style)
        head, rest = lines[0], lines[1:]
        out = [display(head)]
        maths = (lambda line: f"${line}$") if style is _LATEX else (lambda line: line)
        if rest:
            out.append("")
            for i, line in enumerate(rest):
                line = line.removeprefix(_INDENT)
                out.append(f"- {maths(line)}" if i < len(self.paths) else f"- {_markdown_escape(line)}")
        return "\n".join(out)

    # -- writing it out ------------------------------------------------------------

    def _lhs(self, style: _TextStyle) -> str:
        return style.derivative(self.names[self.output], self.names[self.leaf])

    def _lines(self, style: _TextStyle) -> list[str]:
        """The head line, then (for several paths) one line per listed path and a note on the rest."""
        lhs, total = self._lhs(style), style.number(self.gradient)
        if self.path_count == 0:
            return [f"{lhs} = {total}" + style.text(" (no path leads here from the output)")]
        if self.path_count == 1 and self.paths:
            path = self.paths[0]
            return [f"{lhs} = {self._chain(path, style)}" if len(path.stops) > 2 else f"{lhs} = {total}"]
        if self.omitted:
            shown = len(self.paths)
            listed = {0: "none listed (max_paths=0)", 1: "the first one:"}.get(shown, f"the first {shown}:")
            head = f"{lhs} = {total}" + style.text(f", the sum over {self.path_count} paths; {listed}")
        else:
            terms = style.sum(p.product for p in self.paths)
            head = f"{lhs} = {terms} = {total}" + style.text(f", the sum over {self.path_count} paths:")
        lines = [head] + [_INDENT + self._chain(p, style) for p in self.paths]
        if self.omitted:
            more = f"{self.omitted} more path" + ("" if self.omitted == 1 else "s")
            lines.append(f"{_INDENT}... and {more}, not listed (the gradient above sums them all)")
        return lines

    def _chain(self, path: GradientPath, style: _TextStyle) -> str:
        """One path: its terms in symbols, then in numbers, then their product; past
        `_MAX_TERMS` terms, only the first and last `_ENDS` are written, around a count of the rest."""
        product = style.number(path.product)
        count = len(path.stops) - 1
        indices: list[int | None] = list(range(count))
        if count > _MAX_TERMS:
            indices = [*range(_ENDS), None, *range(count - _ENDS, count)]  # None stands for the terms left out
        shown = [path._term(k) if k is not None else None for k in indices]
        if not shown:  # the output is the leaf
            shown = [(path.nodes[0], path.nodes[0], path.product)]
        hidden = count - 2 * _ENDS
        symbols = style.product(
            style.derivative(self.names[t[0]], self.names[t[1]]) if t else style.gap(hidden) for t in shown
        )
        if len(shown) == 1:
            return f"{symbols} = {product}"
        numbers = style.product(style.factor(t[2]) if t else style.gap() for t in shown)
        return f"{symbols} = {numbers} = {product}"


def explain(output: Value, leaf: Value, *, max_paths: int = 64) -> Explanation:
    """Explain d output / d leaf: every path from output to leaf and its local derivatives.

    `leaf` is usually a leaf (a weight, an input) but may be any node of the graph.
    A leaf used twice by one op (`p * p`) gives two paths; one the output does not
    depend on gives gradient 0.0 and no paths. Past `max_paths` paths, the rest are
    counted but not listed, so graphs with millions of paths answer at once.

        >>> p = Value(3.0, "p")
        >>> q = p * p; q.label = "q"
        >>> e = explain(q, p)
        >>> e.gradient, len(e.paths)
        (6.0, 2)
    """
    if not isinstance(output, Value) or not isinstance(leaf, Value):
        bad = output if not isinstance(output, Value) else leaf
        raise TypeError(f"explain: output and leaf must be Values, got {type(bad).__name__}")
    nonnegative_int(max_paths, "explain", "max_paths")
    # counts[v] = the number of paths from v down to leaf; only nodes on some path get one.
    counts: dict[Value, int] = {leaf: 1}
    count_of = counts.get
    for v in topological_order(output):  # every node after its parents
        if v is not leaf:
            n = 0
            for p in v.parents:  # a plain loop: sum() over a generator takes twice as long
                n += count_of(p, 0)
            if n:
                counts[v] = n
    path_count = counts.get(output, 0)
    names = node_names(output)
    if not path_count:
        names.setdefault(leaf, node_names(leaf)[leaf])
        return Explanation(output, leaf, 0.0, [], 0, names)

    gradient = gradients(output)[leaf]  # the engine's rule, so backward's number to the bit
    labelled = any(v.label for v in counts if v is not output and v is not leaf)
    return Explanation(output, leaf, gradient, _paths(output, leaf, counts, max_paths, labelled), path_count, names)


def _paths(output: Value, leaf: Value, counts: dict[Value, int], limit: int, labelled: bool) -> list[GradientPath]:
    """The first `limit` paths from output to leaf, depth first in argument order.

    Only edges into nodes that reach the leaf are followed, so every branch ends
    in a path and listing k paths costs k times the depth, whatever the total.
    """
    paths: list[GradientPath] = []
    nodes, cursors = [output], [0]
    factors: list[float] = []
    while cursors and len(paths) < limit:
        v = nodes[-1]
        i = cursors[-1]
        parents = v.parents
        if v is not leaf:
            while i < len(parents) and parents[i] not in counts:
                i += 1
        if v is leaf or i == len(parents):
            if v is leaf:
                paths.append(_path(nodes, factors, labelled))
            nodes.pop()
            cursors.pop()
            if factors:
                factors.pop()
            continue
        cursors[-1] = i + 1
        nodes.append(parents[i])
        factors.append(v.local_grads[i])
        cursors.append(0)
    return paths


def _path(nodes: list[Value], factors: list[float], labelled: bool) -> GradientPath:
    last = len(nodes) - 1
    if labelled:
        stops = [i for i in range(1, last) if nodes[i].label]
    else:
        stops = [i for i in range(1, last) if not notation(nodes[i].op).unit_slopes]
    ends = (0, *stops, last) if last else (0,)
    return GradientPath(tuple(nodes), tuple(factors), math.prod(factors, start=1.0), ends)


# -- styles: plain text and LaTeX ------------------------------------------------------


class _TextStyle:
    """How the plain-text form writes derivatives, products, sums and numbers."""

    def derivative(self, upper: str, lower: str) -> str:
        return derivative(upper, lower)

    def number(self, x: float) -> str:
        return format_number(x)

    def factor(self, x: float) -> str:
        s = self.number(x)
        return f"({s})" if s.startswith("-") else s

    def product(self, parts: Iterable[str]) -> str:
        return " · ".join(parts)

    def sum(self, values: Iterable[float]) -> str:
        out = ""
        for x in values:
            s = self.number(abs(x)) if out else self.number(x)
            out += s if not out else (" - " if x < 0 else " + ") + s
        return out

    def text(self, words: str) -> str:
        return words

    def gap(self, hidden: int | None = None) -> str:
        """Where terms are left out of a product, saying how many when `hidden` is given."""
        return "..." if hidden is None else f"... ({hidden} more terms) ..."


class _LatexStyle(_TextStyle):
    """The same, typeset: the partial sign for d, and 1.049e+06 written as a power of ten."""

    def derivative(self, upper: str, lower: str) -> str:
        return rf"\frac{{\partial {_latex_name(upper)}}}{{\partial {_latex_name(lower)}}}"

    def number(self, x: float) -> str:
        s = format_number(x)
        if s in ("inf", "-inf"):
            return s.replace("inf", r"\infty")
        if s == "nan":
            return r"\mathrm{nan}"
        mantissa, e, exponent = s.partition("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}" if e else s

    def product(self, parts: Iterable[str]) -> str:
        return r" \cdot ".join(parts)

    def text(self, words: str) -> str:
        return rf"\text{{{_latex_escape(words)}}}"

    def gap(self, hidden: int | None = None) -> str:
        return r"\cdots" if hidden is None else rf"\cdots {self.text(f' ({hidden} more terms) ')} \cdots"


class _MarkdownStyle(_TextStyle):
    """Unicode maths in Markdown: the partial sign for d, 1.049e+06 as 1.049 \N{MULTIPLICATION SIGN} 10⁶, and
    names escaped so that Markdown shows them as they are (p_0, not p<i>0</i>)."""

    def derivative(self, upper: str, lower: str) -> str:
        return f"∂{_markdown_escape(wrap_name(upper))}/∂{_markdown_escape(wrap_name(lower))}"

    def number(self, x: float) -> str:
        mantissa, e, exponent = format_number(x).partition("e")
        return f"{mantissa} \N{MULTIPLICATION SIGN} 10{superscript(str(int(exponent)))}" if e else mantissa

    def text(self, words: str) -> str:
        return _markdown_escape(words)

    def gap(self, hidden: int | None = None) -> str:
        return "…" if hidden is None else f"… ({hidden} more terms) …"


_TEXT = _TextStyle()
_LATEX = _LatexStyle()
_MARKDOWN = _MarkdownStyle()

# Characters Markdown would read as formatting inside a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _markdown_escape(s: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", s)


_LATEX_SPECIAL = {c: "\\" + c for c in "_{}#$%&"} | {"\\": r"\backslash ", "^": r"\hat{}", "~": r"\sim "}
_LATEX_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def _latex_escape(s: str) -> str:
    return "".join(_LATEX_SPECIAL.get(c, c) for c in s)


def _latex_name(name: str) -> str:
    """x stays x; w0 becomes \\mathrm{w0}; relu₁ becomes \\mathrm{relu}_{1}."""
    stem = name.rstrip("₀₁₂₃₄₅₆₇₈₉")
    subscript = name[len(stem) :].translate(_LATEX_DIGITS)
    body = _latex_escape(stem) if len(stem) == 1 else rf"\mathrm{{{_latex_escape(stem)}}}"
    if not stem:  # a name made of subscript digits only
        body, subscript = subscript, ""
    return f"{body}_{{{subscript}}}" if subscript else body


Path = GradientPath  # its first name, kept so older code keeps working
