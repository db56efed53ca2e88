"""The `chainrule` command. `chainrule demo` is the tour: a worked backward pass in the
terminal, its graph, its stepper page, the neuron playground, a network's training steps
as a page, then an MLP trained on
two moons, with plots. Each section says what it wrote and how to open it.

    $ chainrule demo --out demo-output
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
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


Say = Callable[[str], None]
# What a section wrote: each file and how to open it.
Written = list[tuple[Path, str]]


def _walkthrough(nodes: dict[str, Value], say: Say) -> Written:
    loss = nodes["L"]
    names = node_names(loss)
    order = [v for v in topological_order(loss) if not v.is_leaf]  # the forward pass
    say("   Forward pass")
    for v in order:
        say(f"     {forward_equation(v, names)}")
    say("\n   Local derivatives, stored on each node as it was computed")
    for v in order[::-1]:
        edges = "   ".join(f"d{names[v]}/d{names[p]} = {d:g}" for p, d in zip(v.parents, v.local_grads))
        say(f"     {edges}")
    say("\n   Gradients: the chain rule multiplies local derivatives along each path")
    for leaf in ("w", "b"):
        say(f"     {explain(loss, nodes[leaf])}")
    return []


def run_demo(out: Path, *, steps: int = 100, train: bool = True, quiet: bool = False) -> list[Path]:
    """Run the demo, writing its files into `out`; returns the paths written.

    Each numbered section says what it wrote and how to open it; the numbers run on
    whichever sections `train` leaves in. Raises OSError when `out` cannot be written,
    and chainrule's own errors (such as a missing Graphviz) as they come.
    """
    out.mkdir(parents=True, exist_ok=True)
    probe = out / ".chainrule-write-test"
    probe.write_text("")  # fail now, not after a minute of work
    probe.unlink()

    def say(text: str) -> None:
        if not quiet:
            print(text)

    sections = _pages(out, worked_example(), say)
    if train:
        sections.append((f"Training an MLP on two moons, {steps} steps", lambda: _train(out, steps, quiet, say)))
    written: list[Path] = []
    for number, (title, run) in enumerate(sections, start=1):
        say(f"{'' if number == 1 else chr(10)}{number}. {title}")
        for path, how in run():
            written.append(path)
            say(f"   Wrote {path}: {how}.")
    return written


def _page(name: str) -> str:
    return f"open {name} in a web browser (it needs no network)"


def _pages(out: Path, nodes: dict[str, Value], say: Say) -> list[tuple[str, Callable[[], Written]]]:
    """The sections before training: the worked example, its drawing, and the pages."""
    from .viz import save_playground, save_stepper, save_svg

    return [
        (
            "One ReLU neuron: x = 2, w = 3, b = 1, target y = 5, L = (relu(w·x + b) - y)²",
            lambda: _walkthrough(nodes, say),
        ),
        (
            "Its graph, with the path from w highlighted",
            lambda: [
                (
                    save_svg(nodes["L"], out / "graph.svg", highlight=nodes["w"]),
                    f"{_page('graph.svg')} or an SVG viewer",
                )
            ],
        ),
        (
            "A page that steps through its forward and backward passes",
            lambda: [
                (
                    save_stepper(nodes["L"], out / "stepper.html"),
                    f"{_page('stepper.html')}: Next, Prev or the arrow keys step",
                )
            ],
        ),
        (
            "The neuron playground: one sigmoid neuron to slide and descend",
            lambda: [
                (save_playground(out / "playground.html"), f"{_page('playground.html')}: slide w, press descent step")
            ],
        ),
        (
            "A small network learning two moons, neuron by neuron, for 10 training steps",
            lambda: [
                (
                    _network_page(out / "network.html"),
                    f"{_page('network.html')}: forward, backward and train step jump; Play runs it",
                )
            ],
        ),
    ]


def _network_page(path: Path) -> Path:
    from .data import make_moons
    from .nn import MLP
    from .optim import SGD
    from .viz import save_network_stepper

    X, y = make_moons(n=100, noise=0.1, seed=0)  # noqa: N806 - the usual name for samples
    model = MLP(2, [8, 8, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    return save_network_stepper(model, X, y, path, loss="hinge_loss", optimizer=optimizer, steps=10)


def _train(out: Path, steps: int, quiet: bool, say: Say) -> Written:
    from .data import make_moons
    from .nn import MLP, fit
    from .optim import Adam
    from .plot import decision_boundary, loss_curve

    X, y = make_moons(n=100, noise=0.1, seed=0)  # noqa: N806 - the usual name for samples
    model = MLP(2, [16, 16, 1], seed=0)
    say(f"   MLP(2, [16, 16, 1]) ({len(model.parameters())} parameters), 100 points, hinge loss, Adam, full batch")
    history = fit(
        model, X, y, loss="hinge_loss", optimizer=Adam(model.parameters(), lr=0.05), epochs=steps, progress=not quiet
    )  # fit prints its own summary line: epochs, final loss, accuracy, time
    loss_path, boundary_path = out / "loss.png", out / "boundary.png"
    loss_curve(history).savefig(loss_path)
    decision_boundary(model, X, y).savefig(boundary_path)
    return [
        (loss_path, "the loss and accuracy per step; open loss.png in an image viewer or a browser"),
        (boundary_path, "the classes it learned; open boundary.png in an image viewer or a browser"),
    ]


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
        help="a worked backward pass, its graph, stepper and playground pages, and a trained MLP",
        description="Walk through a worked backward pass, draw it, train an MLP on two moons, and "
        "write graph.svg, stepper.html, playground.html, network.html, loss.png and boundary.png.",
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
    except (ImportError, GraphvizNotFound) as exc:  # a missing extra, or no Graphviz
        print(f"chainrule demo: {exc}", file=sys.stderr)
        return 1
    if args.quiet:
        for path in written:
            print(path)
    else:
        print(f"\nDone: {len(written)} files in {args.out}. The pages need no Python: open them in a browser.")
    return 0
