"""How a learner reads a graph: numbers, node names, and one row per operation.

Everything chainrule writes for a person (`explain`, the drawings, the steppers, the
playground, the demo) reads its notation from here, so a value or an op reads the same
in each, and adding an op means adding one row to `OPS`:

    >>> OPS["/"].symbol, OPS["/"].word
    ('÷', 'div')
    >>> expression("*", ["w", "x"])
    'w · x'
    >>> format_number(-0.123456), format_number(12345.0)
    ('-0.1235', '1.234e+04')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .engine import Value, topological_order

__all__ = [
    "OPS",
    "OpNotation",
    "derivative",
    "expression",
    "factor",
    "format_number",
    "forward_equation",
    "node_names",
    "notation",
    "op_symbol",
    "parenthesize_negative",
    "subscript",
    "superscript",
    "wrap_name",
]

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# A name made only of these is written bare after 'd' (dz); any other gets parentheses: d(a-y).
_PLAIN_NAME = re.compile(r"[\w₀-₉]+")


@dataclass(frozen=True)
class OpNotation:
    """How one operation is written.

    - `word` names its unlabelled nodes (`mul₁`);
    - `symbol` is what a drawing shows in the operation's oval;
    - `template` writes it applied to its arguments, `{0}`, `{1}` (`'{0} · {1}'`); with
      `infix`, an argument standing next to an operator is wrapped when it is negative
      or compound (`(-2) · 3`), while inside a function's parentheses it stands as it is;
    - `unit_slopes`: its local derivatives are all +-1 (sums and differences), so
      `explain` may fold its nodes away.
    """

    word: str
    symbol: str
    template: str
    infix: bool = False
    unit_slopes: bool = False


def _function(name: str, symbol: str | None = None) -> OpNotation:
    return OpNotation(name, symbol or name, f"{name}({{0}})")


OPS: dict[str, OpNotation] = {
    "": OpNotation("leaf", "", "{0}"),
    "+": OpNotation("add", "+", "{0} + {1}", infix=True, unit_slopes=True),
    "-": OpNotation("sub", "\N{MINUS SIGN}", "{0} - {1}", infix=True, unit_slopes=True),
    "*": OpNotation("mul", "\N{MULTIPLICATION SIGN}", "{0} · {1}", infix=True),
    "/": OpNotation("div", "÷", "{0} / {1}", infix=True),
    "neg": OpNotation("neg", "\N{MINUS SIGN}x", "-{0}", infix=True, unit_slopes=True),
    "**": OpNotation("pow", "xʸ", "{0}^{1}", infix=True),
    "exp": _function("exp"),
    "log": _function("log"),
    "sqrt": OpNotation("sqrt", "√", "sqrt({0})"),
    "tanh": _function("tanh"),
    "sigmoid": _function("sigmoid", "\N{GREEK SMALL LETTER SIGMA}"),
    "relu": _function("relu", "ReLU"),
    "leaky_relu": _function("leaky_relu", "LeakyReLU"),
    "abs": OpNotation("abs", "|x|", "|{0}|"),
    "sin": _function("sin"),
    "cos": _function("cos"),
    "softplus": _function("softplus"),
    "logsumexp": OpNotation("logsumexp", "log Σ exp", ""),
    "linear": OpNotation("linear", "Σ w·x + b", ""),
}


def notation(op: str) -> OpNotation:
    """The row of `op`: its entry in `OPS`, one made for a power with a number exponent
    ('**2' is written x² and named pow), or a plain function row for an op not listed."""
    row = OPS.get(op)
    if row is not None:
        return row
    if op.startswith("**"):
        power = op[2:]
        written = superscript(power) if power.lstrip("-").isdigit() else f"^{power}"
        return OpNotation("pow", "x" + written, "{0}" + written, infix=True)
    return _function(op)


def op_symbol(op: str) -> str:
    """The symbol a drawing shows for an operation: '*' -> a times sign, '**2' -> 'x²', 'linear' -> 'Σ w·x + b'."""
    return notation(op).symbol


def expression(op: str, args: Sequence[str], operand: Callable[[str], str] | None = None) -> str:
    """`op` applied to `args` as a learner writes it: 'a · b', 'relu(z)', 'a²', 'w0·x0 + w1·x1 + b'.

    `operand` wraps an argument that stands next to an operator; by default names are
    wrapped as `derivative` wraps them (`(a-y)²`).
    """
    wrap = operand or wrap_name
    if op == "linear":  # parents are (*weights, *inputs, bias)
        n = len(args) // 2
        products = [f"{wrap(w)}·{wrap(x)}" for w, x in zip(args[:n], args[n : 2 * n])]
        return " + ".join([*products, wrap(args[-1])])
    if op == "logsumexp":
        return "log(" + " + ".join(f"exp({a})" for a in args) + ")"
    row = notation(op)
    arity = row.template.count("{")
    if arity != len(args):  # an op used with another number of arguments than its row's
        return f"{op}({', '.join(args)})"
    return row.template.format(*(wrap(a) for a in args) if row.infix else args)


def format_number(x: float) -> str:
    """How chainrule writes a number for a learner, everywhere: 4 significant digits, and
    "0" for either zero. explain, the drawings, the stepper and the playground all use it,
    so one value reads the same in each.

    >>> format_number(7.0), format_number(-0.123456), format_number(12345.0), format_number(-0.0)
    ('7', '-0.1235', '1.234e+04', '0')
    """
    return "0" if x == 0.0 else f"{x:.4g}"


def parenthesize_negative(number: str) -> str:
    """A written number as a factor or operand: negative ones in parentheses, '(-1)'."""
    return f"({number})" if number.startswith("-") else number


def factor(x: float) -> str:
    """A number as a factor in a product: 4 · (-1)."""
    return parenthesize_negative(format_number(x))


def derivative(upper: str, lower: str) -> str:
    """d upper / d lower in text, names in parentheses when they are not plain: 'dL/da', 'd(a-y)/dz'."""
    return f"d{wrap_name(upper)}/d{wrap_name(lower)}"


def subscript(n: int) -> str:
    """An int in subscript digits: 12 -> '₁₂'."""
    return str(n).translate(_SUBSCRIPTS)


def superscript(text: str) -> str:
    """Digits and minus signs in superscript: '-2' -> '⁻²'."""
    return text.translate(_SUPERSCRIPTS)


def node_names(root: Value) -> dict[Value, str]:
    """The name of every node in the graph of `root`: its label, or an automatic one.

    An unlabelled node is named after its op's word ('add', 'sub', 'mul', 'div', 'pow',
    'neg', 'relu', 'tanh', ..., 'leaf' for a leaf) with a subscript counting the
    unlabelled nodes of that op in the order they were created, so the same graph
    always gets the same names; a constant is named by its value.

        >>> x = Value(3.0, "x")
        >>> names = node_names((x * x).relu() * 2)
        >>> list(names.values())
        ['x', 'mul₁', 'relu₁', '2', 'mul₂']
    """
    names: dict[Value, str] = {}
    counts: dict[str, int] = {}
    for v in topological_order(root):  # oldest first: numbers follow the forward pass
        if v.label:
            names[v] = v.label
        elif v.is_constant:
            names[v] = format_number(v.data)
        else:
            word = notation(v.op).word
            counts[word] = counts.get(word, 0) + 1
            names[v] = word + subscript(counts[word])
    return names


def forward_equation(v: Value, names: dict[Value, str]) -> str:
    """'z = mul₁ + b = 6 + 1 = 7': the node's op on its inputs' names, then on their values."""
    symbols = expression(v.op, [names[p] for p in v.parents])
    numbers = expression(v.op, [format_number(p.data) for p in v.parents], parenthesize_negative)
    middle = [symbols] if symbols == numbers else [symbols, numbers]
    return " = ".join([names[v], *middle, format_number(v.data)])


def wrap_name(name: str) -> str:
    """A name as it follows d or stands next to an operator: bare when plain ('z', 'mul₁'),
    in parentheses otherwise ('(a-y)')."""
    return name if _PLAIN_NAME.fullmatch(name) else f"({name})"
