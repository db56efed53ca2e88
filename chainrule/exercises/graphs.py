"""Graphs the checkers build with the learner's own `Value` class, and the same graphs in
chainrule's, to compare: a few fixed shapes that catch the usual mistakes, random ones,
and a walk over a learner's graph that needs nothing but `_prev`."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import Value, describe
from ..notation import format_number

__all__ = [
    "LEARNER_OPS",
    "Program",
    "closeness",
    "fixed_programs",
    "graph_nodes",
    "node_in_words",
    "numbers",
    "parallel",
    "random_program",
]

# What a learner's minimal Value supports, as in the lecture: +, * and tanh.
LEARNER_OPS = ("+", "*", "tanh")


def graph_nodes(root: Any) -> list[Any]:
    """Every node of a learner's graph, found through `_prev` with a loop (however deep it is)."""
    seen = {id(root)}
    order = [root]
    for v in order:  # grows as nodes are found
        for p in v._prev:
            if id(p) not in seen:
                seen.add(id(p))
                order.append(p)
    return order


def node_in_words(v: Any) -> str:
    """A learner's node as a checker's message names it: its kind, then the engine's
    `describe` (its value and label): 'the * node with data 6.0', 'the leaf with data 2.0'."""
    op = getattr(v, "_op", "") or ""
    return f"{f'the {op} node' if op else 'the leaf'} with data {describe(v)}"


@dataclass(frozen=True)
class Program:
    """A graph as steps: the leaves' values, then (op, i, j) per node made, i and j indexing
    the nodes so far (j unused by tanh); the last node is the root."""

    name: str
    leaves: tuple[float, ...]
    steps: tuple[tuple[str, int, int], ...]

    def build(self, cls: Any) -> list[Any]:
        """Every node of the program made with `cls` (a learner's Value or chainrule's), in order."""
        nodes = [cls(x) for x in self.leaves]
        for op, i, j in self.steps:
            a, b = nodes[i], nodes[j]
            nodes.append(a + b if op == "+" else a * b if op == "*" else a.tanh())
        return nodes

    @property
    def depth(self) -> int:
        """How many steps the program has."""
        return len(self.steps)


def fixed_programs(deep: int) -> list[Program]:
    """The shapes that catch the usual mistakes, the last a chain `deep` steps long."""
    # x + a, then tanh, and again: bounded values, and the leaf a used deep // 2 times.
    chain = tuple(("tanh", k + 1, k + 1) if k % 2 else ("+", k + 1, 0) for k in range(deep))
    return [
        Program("a + b", (2.0, -3.0), (("+", 0, 1),)),
        Program("x * x (x used twice)", (3.0,), (("*", 0, 0),)),
        Program("tanh(w * x + b)", (0.5, -1.5, 0.25), (("*", 0, 1), ("+", 3, 2), ("tanh", 4, 4))),
        Program("a used by three nodes", (0.7, 1.3), (("*", 0, 1), ("+", 0, 2), ("*", 3, 0), ("tanh", 4, 4))),
        Program("c = a * b; d = c + a; e = d * c", (2.0, 0.5), (("*", 0, 1), ("+", 2, 0), ("*", 3, 2))),
        Program(f"a chain {deep} steps deep", (0.3, 0.5), chain),
    ]


def random_program(rng: random.Random, name: str, leaves: int = 3, steps: int = 8) -> Program:
    """A random graph of +, * and tanh over `leaves` leaves; later nodes favour recent ones,
    and every node may be used again (reuse is what a wrong backward gets wrong)."""
    data = tuple(round(rng.uniform(-1.5, 1.5), 3) for _ in range(leaves))
    made: list[tuple[str, int, int]] = []
    for k in range(steps):
        n = leaves + k
        op = rng.choice(LEARNER_OPS)
        i = rng.randrange(max(0, n - 3), n) if rng.random() < 0.7 else rng.randrange(n)
        made.append((op, i, rng.randrange(n)))
    return Program(name, data, tuple(made))


def parallel(program: Program, cls: Any) -> tuple[list[Any], list[Value]]:
    """The program built twice: with the learner's `cls`, and with chainrule's Value."""
    return program.build(cls), program.build(Value)


def closeness(a: float, b: float) -> bool:
    """Equal up to rounding: the learner may add the same terms in another order."""
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def numbers(xs: Sequence[float]) -> str:
    """A few numbers as a message lists them."""
    return ", ".join(format_number(x) for x in xs)
