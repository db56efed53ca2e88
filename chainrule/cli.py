"""The `chainrule` command. `chainrule demo` is the tour: a worked backward pass in the
terminal, its graph and stepper page, then an MLP trained on two moons, with plots.

    $ chainrule demo --out demo-output
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .engine import Value, topological_order
from .explanation import explain
from .notation import forward_equation, node_names
from .viz import GraphvizNotFound

__all__ = ["main", "run_demo", "worked_example"]


def worked_example() -> dict[str, Value]:
    """The single ReLU neuron of the seed texts, after `backward`: x = 2, w = 3, b = 1,
    target y = 5, z = w*x + b, a = relu(z), L = (a - y)**2, so L = 4, dL/dw = 8, dL/db = 4.
    Returns its labelled Values by name."""
    x, w, b, y = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b"), Value(5.0, "y")
    z = w * x + b
    z.label = "z"
    a = z.relu()
    a.label = "a"
    loss = (a - y) ** 2
    loss.label = "L"
    loss.backward()
    return {"x": x, "w": w, "b": b, "y": y, "z": z, "a": a, "L": loss}


def _walkthrough(nodes: dict[str, Value]) -> None:
    loss = nodes["L"]
    names = node_names(loss)
    order = [v for v in topological_order(loss) if not v.is_leaf]  # the forward pass
    print("1. One ReLU neuron: x = 2, w = 3, b = 1, target y = 5, L = (relu(w·x + b) - y)²")
    print("\n   Forward pass")
    for v in order:
        print(f"     {forward_equation(v, names)}")
    print("\n   Local derivatives, stored on each node as it was computed")
    for v in order[::-1]:
        edges = "   ".join(f"d{names[v]}/d{names[p]} = {d:g}" for p, d in zip(v.parents, v.local_grads))
        print(f"     {edges}")
    print("\n   Gradients: the chain rule multiplies local derivatives along each path")
    for leaf in ("w", "b"):
        print(f"     {explain(loss, nodes[leaf])}")


def run_demo(out: Path, *, steps: int = 100, train: bool = True, quiet: bool = False) -> list[Path]:
    """Run the demo, writing its files into `out`; returns the paths written.

    Raises OSError when `out` cannot be written, and chainrule's own errors (such as a
    missing Graphviz) as they come.
    """
    out.mkdir(parents=True, exist_ok=True)
    probe = out / ".chainrule-write-test"
    probe.write_text("")  # fail now, not after a minute of work
    probe.unlink()

    from .viz import save_stepper, save_svg

    nodes = worked_example()
    if not quiet:
        _walkthrough(nodes)
    written = [
        save_svg(nodes["L"], out / "graph.svg", highlight=nodes["w"]),
        save_stepper(nodes["L"], out / "stepper.html"),
    ]
    if not quiet:
        print("\n2. Its graph, with the path from w highlighted, and a page that steps through it")
    if train:
        written += _train(out, steps, quiet)
    return written


def _train(out: Path, steps: int, quiet: bool) -> list[Path]:
    from .data import make_moons
    from .nn import MLP, fit
    from .optim import Adam
    from .plot import decision_boundary, loss_curve

    X, y = make_moons(n=100, noise=0.1, seed=0)  # noqa: N806 - the usual name for samples
    model = MLP(2, [16, 16, 1], seed=0)
    if not quiet:
        print(f"\n3. Training MLP(2, [16, 16, 1]) ({len(model.parameters())} parameters) on 100 moons points:")
        print(f"   hinge loss, Adam, {steps} full-batch steps")
    history = fit(
        model, X, y, loss="hinge_loss", optimizer=Adam(model.parameters(), lr=0.05), epochs=steps, progress=not quiet
    )
    if not quiet:
        accuracy = history.accuracy[-1] if history.accuracy else float("nan")
        print(f"   final loss {history.loss[-1]:.4f}, training accuracy {accuracy:.0%} ({history.wall_time:.1f} s)")
        print("\n4. The loss curve and the decision boundary")
    loss_path, boundary_path = out / "loss.png", out / "boundary.png"
    loss_curve(history).savefig(loss_path)
    decision_boundary(model, X, y).savefig(boundary_path)
    return [loss_path, boundary_path]


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return n


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `chainrule` command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="chainrule", description="Make backpropagation visible.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="a worked backward pass, its graph and stepper page, and a trained MLP",
        description="Walk through a worked backward pass, draw it, train an MLP on two moons, and "
        "write graph.svg, stepper.html, loss.png and boundary.png.",
    )
    demo.add_argument("--out", type=Path, default=Path("demo-output"), help="folder to write to (default: %(default)s)")
    demo.add_argument("--steps", type=_positive_int, default=100, help="training steps (default: %(default)s)")
    demo.add_argument("--no-train", action="store_true", help="skip training and its plots")
    demo.add_argument("--quiet", action="store_true", help="print only the paths of the files written")
    args = parser.parse_args(argv)

    try:
        written = run_demo(args.out, steps=args.steps, train=not args.no_train, quiet=args.quiet)
    except BrokenPipeError:  # the reader went away (chainrule demo | head): nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        print(f"chainrule demo: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except (ImportError, GraphvizNotFound) as exc:  # a missing extra, or Graphviz's dot
        print(f"chainrule demo: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print("\n5. Files written:")
    for path in written:
        print(f"   {path}" if not args.quiet else path)
    return 0
