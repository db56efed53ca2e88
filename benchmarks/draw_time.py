"""How long drawings take, rendered by pygraphviz's Graphviz in-process and by the `dot` program.

Each row times the same work twice in one process: with pygraphviz (the `viz` extra's wheel,
in-process), then with pygraphviz hidden, so that `render_svg` falls back on the `dot` program
(a subprocess, the system's Graphviz). Rows:

- `render_svg` of a 3-node drawing: what rendering costs besides the layout;
- `draw_dot(group=True)` alone, and `save_svg` of MLP(2, [4, 4, 1]) and MLP(2, [16, 16, 1])
  on one sample (59 and 407 nodes), with `group=True`;
- `save_stepper` on the 59-node graph; the network page `chainrule demo` writes
  (`save_network_stepper`: MLP(2, [8, 8, 1]), 100 moons points, 10 steps);
- `save_svg(max_nodes=None)` of chains of 500, 1,000 and 2,000 nodes, for `MAX_NODES`.

Needs the `viz` extra with pygraphviz, and the `dot` program on PATH.

    python benchmarks/draw_time.py    # 7 alternating runs each way (3 for the chains)

Each ratio is taken between neighbouring runs (in-process, then subprocess), as `run.py`
takes its ratios within a round: the shared machine's slow minutes hit both alike.
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from chainrule import Value, draw_dot
from chainrule.data import make_moons
from chainrule.engine import topological_order
from chainrule.nn import MLP
from chainrule.optim import SGD
from chainrule.viz import graphviz_backend, save_network_stepper, save_stepper, save_svg
from chainrule.viz.graph import render_svg


@contextlib.contextmanager
def system_dot() -> Iterator[None]:
    """Render with the `dot` program: pygraphviz made unimportable (a None entry in sys.modules)."""
    saved = sys.modules.get("pygraphviz")
    sys.modules["pygraphviz"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if saved is None:
            del sys.modules["pygraphviz"]
        else:
            sys.modules["pygraphviz"] = saved


def mlp_loss(sizes: list[int]) -> Value:
    model = MLP(2, sizes, seed=0)
    loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")])[0] - 1.0) ** 2
    loss.backward()
    return loss


def chain(nodes: int) -> Value:
    """y = tanh(0.9 · y) repeated from a leaf: three nodes a link (constant, product, tanh)."""
    y = Value(0.5, "x")
    for _ in range((nodes - 1) // 3):
        y = (y * 0.9).tanh()
    y.backward()
    return y


def seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def both_ways(work: Callable[[], object], repeats: int) -> tuple[list[float], list[float]]:
    """Times of `work` in-process and by subprocess, alternating, after one untimed run of each
    (imports, Graphviz's plugins and fonts)."""
    work()
    with system_dot():
        work()
    inside, outside = [], []
    for _ in range(repeats):
        inside.append(seconds(work))
        with system_dot():
            outside.append(seconds(work))
    return inside, outside


def main() -> None:
    if shutil.which("dot") is None or not graphviz_backend().startswith("pygraphviz"):
        sys.exit("needs pygraphviz (the viz extra) and Graphviz's dot program on PATH")
    print(f"in-process: {graphviz_backend()}")
    with system_dot():
        print(f"subprocess: {graphviz_backend()}")
    out = Path(tempfile.mkdtemp(prefix="draw_time-"))
    small, large = mlp_loss([4, 4, 1]), mlp_loss([16, 16, 1])
    drawn = draw_dot(large, group=True)
    X, y = make_moons(n=100, noise=0.1, seed=0)  # noqa: N806 - the usual name for samples

    def network_page() -> None:
        model = MLP(2, [8, 8, 1], seed=0)
        optimizer = SGD(model.parameters(), lr=0.1)
        save_network_stepper(model, X, y, out / "network.html", loss="hinge_loss", optimizer=optimizer, steps=10)

    nodes = len(topological_order(large))
    tiny = draw_dot(Value(2.0, "x") * 3)
    rows: list[tuple[str, Callable[[], object], int]] = [
        ("render_svg alone, 3 nodes: the fixed cost", lambda: render_svg(tiny), 21),
        (f"draw_dot(group=True), {nodes} nodes, no rendering", lambda: draw_dot(large, group=True), 7),
        (f"render_svg alone, {nodes} nodes", lambda: render_svg(drawn), 7),
        (
            f"save_svg, {nodes} nodes: MLP(2, [16, 16, 1]), group=True",
            lambda: save_svg(large, out / "l.svg", group=True),
            7,
        ),
        (
            f"save_svg, {len(topological_order(small))} nodes: MLP(2, [4, 4, 1])",
            lambda: save_svg(small, out / "s.svg", group=True),
            7,
        ),
        ("stepper page: save_stepper, 59 nodes", lambda: save_stepper(small, out / "stepper.html"), 7),
        ("network page: the demo's, MLP(2, [8, 8, 1]), 10 steps", network_page, 7),
    ]
    for n in (500, 1000, 2000):
        graph = chain(n)
        count = len(topological_order(graph))
        rows.append(
            (f"save_svg, a chain of {count} nodes", lambda g=graph: save_svg(g, out / "c.svg", max_nodes=None), 3)
        )

    print("| drawing | in-process (pygraphviz) | subprocess (`dot`) | subprocess / in-process |")
    print("| --- | --- | --- | --- |")
    for name, work, repeats in rows:
        inside, outside = both_ways(work, repeats)
        ratios = sorted(o / i for i, o in zip(inside, outside))
        print(
            f"| {name} | {statistics.median(inside) * 1e3:.0f} ms | {statistics.median(outside) * 1e3:.0f} ms "
            f"| {statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f}) |",
            flush=True,
        )


if __name__ == "__main__":
    main()
