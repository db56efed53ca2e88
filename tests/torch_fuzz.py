"""Random graphs run on chainrule and on PyTorch 2.13 (float64), for the masked-edge corpus.

A graph is a program of steps over earlier nodes, drawn from a seed: every op of the
engine, leaves that are often +-0.0, +-inf, nan, huge or subnormal, and an output that
weighs some nodes by nan, +-inf or 0, so nan and inf upstream gradients reach every kind
of edge. A step chainrule refuses (log of a negative number, division by zero, ...) is
left out of the program, so both engines run the same steps.

    python -m tests.torch_fuzz 10000      # count the disagreements, by signature
"""

from __future__ import annotations

import math
import random
import sys
from collections import Counter
from typing import Any

from chainrule import Value
from chainrule.engine import linear, logsumexp

SPECIALS = [0.0, -0.0, 1.0, -1.0, 2.0, math.inf, -math.inf, math.nan, 1e300, -1e300, 5e-324, 800.0]
WEIGHTS = [1.0, -1.0, 0.5, math.inf, -math.inf, math.nan, 0.0, -0.0]
EXPONENTS = [0.0, -0.0, 0.5, 1.0, 2.0, 3.0, 1.5, -1.0, -2.0]
UNARY = [
    "neg",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "abs",
    "sin",
    "cos",
    "softplus",
    "pow_number",
]
BINARY = ["+", "-", "*", "/", "pow"]
NARY_OPS = ["linear", "logsumexp"]

Step = tuple[Any, ...]


def _apply(torch_ops: bool, step: Step, nodes: list[Any]) -> Any:
    """Run one step on nodes of either engine (torch_ops: the nodes are tensors)."""
    op, args, extra = step
    xs = [nodes[i] for i in args]
    if op == "+":
        return xs[0] + xs[1]
    if op == "-":
        return xs[0] - xs[1]
    if op == "*":
        return xs[0] * xs[1]
    if op == "/":
        return xs[0] / xs[1]
    if op == "pow":
        return xs[0] ** xs[1]
    if op == "pow_number":
        return xs[0] ** extra
    if op == "neg":
        return -xs[0]
    if op == "leaky_relu":
        if torch_ops:
            import torch

            return torch.nn.functional.leaky_relu(xs[0], extra)
        return xs[0].leaky_relu(extra)
    if op == "softplus" and torch_ops:
        import torch

        return torch.nn.functional.softplus(xs[0], beta=1.0, threshold=40.0)
    if op == "linear":
        k = len(xs) // 2
        ws, ins, b = xs[:k], xs[k : 2 * k], xs[2 * k]
        if torch_ops:
            return sum((w * x for w, x in zip(ws, ins)), b)
        return linear(ws, ins, b)
    if op == "logsumexp":
        if torch_ops:
            import torch

            return torch.logsumexp(torch.stack(xs), dim=0)
        return logsumexp(xs)
    if torch_ops:
        import torch

        return getattr(torch, op)(xs[0])
    return getattr(xs[0], op)()


def random_program(seed: int, n_ops: int = 12) -> tuple[list[float], list[Step], list[tuple[int, float]]]:
    """Leaves, the steps chainrule accepts, and the output's terms (node, weight)."""
    rng = random.Random(seed)
    leaves = [rng.choice(SPECIALS) if rng.random() < 0.4 else rng.uniform(-2.0, 2.0) for _ in range(rng.randint(2, 5))]
    nodes: list[Value] = [Value(x) for x in leaves]
    steps: list[Step] = []
    while len(steps) < n_ops:
        kind = rng.random()
        n = len(nodes)

        def pick(n: int = n) -> int:
            return rng.randrange(max(0, n - 6), n) if rng.random() < 0.7 else rng.randrange(n)

        if kind < 0.5:
            op = rng.choice(UNARY)
            extra = rng.choice(EXPONENTS) if op == "pow_number" else rng.choice([0.01, 0.0, 0.2])
            step: Step = (op, (pick(),), extra)
        elif kind < 0.9:
            step = (rng.choice(BINARY), (pick(), pick()), None)
        else:
            op = rng.choice(NARY_OPS)
            k = rng.randint(1, 3)
            count = 2 * k + 1 if op == "linear" else k
            step = (op, tuple(pick() for _ in range(count)), None)
        try:
            nodes.append(_apply(False, step, nodes))
        except (ValueError, ZeroDivisionError):
            continue
        steps.append(step)
    n = len(nodes)
    terms = [(n - 1, 1.0)] + [(rng.randrange(len(leaves), n), rng.choice(WEIGHTS)) for _ in range(rng.randint(0, 3))]
    return leaves, steps, terms


def run(program: tuple[list[float], list[Step], list[tuple[int, float]]], engine: str) -> tuple[float, list[float]]:
    """The output's value and the leaves' gradients, on "chainrule" or "torch" (float64)."""
    leaves, steps, terms = program
    if engine == "torch":
        import torch

        xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in leaves]
    else:
        xs = [Value(x) for x in leaves]
    nodes: list[Any] = list(xs)
    for step in steps:
        nodes.append(_apply(engine == "torch", step, nodes))
    out = nodes[terms[0][0]] * terms[0][1]
    for i, w in terms[1:]:
        out = out + nodes[i] * w
    out.backward()
    if engine == "torch":
        return out.item(), [0.0 if x.grad is None else x.grad.item() + 0.0 for x in xs]
    return out.data, [x.grad for x in xs]


def kind(x: float) -> str:
    """A float's class for a signature: nan, +inf, -inf, +0, -0 or finite."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "+inf" if x > 0 else "-inf"
    if x == 0.0:
        return "+0" if math.copysign(1.0, x) > 0 else "-0"
    return "finite"


def agree(a: float, b: float, rel: float = 1e-9) -> bool:
    """Same class, and finite values within `rel` (the engines may round differently); a
    subnormal and a zero, or two subnormals, agree (libm's exp rounds differently there)."""
    if math.isfinite(a) and math.isfinite(b) and (a or b) and abs(a - b) < sys.float_info.min:
        return True
    if kind(a) != kind(b):
        return False
    return kind(a) != "finite" or abs(a - b) <= rel * max(abs(a), abs(b))


def disagreements(program: Any) -> list[str]:
    """What differs between the engines on one program: 'value', 'grad i', as text."""
    (ours, our_grads), (theirs, their_grads) = run(program, "chainrule"), run(program, "torch")
    found = [] if agree(ours, theirs) else [f"value: chainrule {ours!r}, torch {theirs!r}"]
    for i, (g, t) in enumerate(zip(our_grads, their_grads)):
        if not agree(g, t):
            found.append(f"grad {i}: chainrule {g!r}, torch {t!r}")
    return found


def signature(program: Any) -> str:
    """The ops of a program that disagrees, for grouping by hand."""
    return " ".join(sorted({s[0] for s in program[1]}))


def main(n: int) -> None:
    bad = Counter[str]()
    first: dict[str, int] = {}
    for seed in range(n):
        program = random_program(seed)
        found = disagreements(program)
        if found:
            key = signature(program)
            bad[key] += 1
            first.setdefault(key, seed)
    print(f"{sum(bad.values())} of {n} graphs disagree")
    for key, count in bad.most_common():
        print(f"{count:5d}  seed {first[key]:6d}  {key}")


def step_checks(program: Any) -> list[tuple[Step, Value, list[float], list[str]]]:
    """Each step of a program alone, on the inputs and with the upstream gradient it met in
    the whole graph (chainrule's), on both engines: (step, chainrule's node in the whole
    graph, its inputs, what differs: 'value k1/k2', 'd0 k1/k2', ... as float kinds)."""
    import torch

    leaves, steps, terms = program
    nodes: list[Value] = [Value(x) for x in leaves]
    for step in steps:
        nodes.append(_apply(False, step, nodes))
    out = nodes[terms[0][0]] * terms[0][1]
    for i, w in terms[1:]:
        out = out + nodes[i] * w
    out.backward()
    checks = []
    for k, step in enumerate(steps):
        v = nodes[len(leaves) + k]
        inputs = [nodes[i].data for i in step[1]]
        xs = [Value(x) for x in inputs]
        ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
        mine = _apply(False, (step[0], tuple(range(len(xs))), step[2]), list(xs))
        theirs = _apply(True, (step[0], tuple(range(len(ts))), step[2]), list(ts))
        (mine * v.grad).backward()
        (theirs * v.grad).backward()
        what = []
        if not agree(mine.data, theirs.item()):
            what.append(f"value {kind(mine.data)}/{kind(theirs.item())}")
        for j, (x, t) in enumerate(zip(xs, ts)):
            tg = 0.0 if t.grad is None else t.grad.item() + 0.0
            if not agree(x.grad, tg):
                what.append(f"d{j} {kind(x.grad)}/{kind(tg)}")
        checks.append((step, v, inputs, what))
    return checks


def local_disagreements(program: Any) -> list[str]:
    """A signature per step that disagrees (see `step_checks`): op, input kinds, upstream
    kind and what differs, so that one cause is one signature."""
    found = []
    for step, v, inputs, what in step_checks(program):
        if what:
            extra = f" {step[2]!r}" if step[0] in ("pow_number", "leaky_relu") else ""
            ins = ", ".join(kind(x) for x in inputs)
            found.append(f"{step[0]}{extra} in=({ins}) up={kind(v.grad)}: {'; '.join(what)}")
    return found


def main_local(n: int) -> None:
    bad = Counter[str]()
    graphs = 0
    for seed in range(n):
        found = local_disagreements(random_program(seed))
        graphs += bool(found)
        bad.update(set(found))
    print(f"{graphs} of {n} graphs have a step that disagrees; {len(bad)} signatures")
    for key, count in bad.most_common():
        print(f"{count:5d}  {key}")


if __name__ == "__main__":
    (main_local if "--local" in sys.argv else main)(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
