"""The `chainrule` command: `chainrule demo` walks through a worked backward pass."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .engine import Value


def worked_example() -> dict[str, Value]:
    """The single ReLU neuron x=2, w=3, b=1, target y=5 with L = (relu(w*x + b) - y)**2."""
    x, w, b, y = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b"), Value(5.0, "y")
    wx = w * x
    wx.label = "wx"
    z = wx + b
    z.label = "z"
    a = z.relu()
    a.label = "a"
    d = a - y
    d.label = "a-y"
    loss = d**2
    loss.label = "L"
    loss.backward()
    return {"x": x, "w": w, "b": b, "y": y, "wx": wx, "z": z, "a": a, "a-y": d, "L": loss}


def _demo(args: argparse.Namespace) -> int:
    nodes = worked_example()
    print("Forward pass")
    for name in ("wx", "z", "a", "a-y", "L"):
        v = nodes[name]
        names = [p.label for p in v.parents]
        if len(names) > 1:
            formula = f" {v.op} ".join(names)
        else:
            formula = f"({names[0]}){v.op}" if v.op.startswith("**") else f"{v.op}({names[0]})"
        print(f"  {name:>4} = {formula:<12} = {v.data:g}")
    print("Local derivatives (read from each node)")
    for name in ("L", "a-y", "a", "z", "wx"):
        v = nodes[name]
        for parent, local in zip(v.parents, v.local_grads):
            print(f"  d{name}/d{parent.label} = {local:g}")
    print("Gradients after L.backward()")
    for name in ("w", "b", "x"):
        print(f"  dL/d{name} = {nodes[name].grad:g}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `chainrule` command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="chainrule", description="Make backpropagation visible.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="walk through a worked chain-rule example")
    args = parser.parse_args(argv)
    return _demo(args)
