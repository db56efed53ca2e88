"""How long drawing an MLP's graph takes: `draw_dot(group=True)` and rendering it to SVG.

The target: MLP(2, [4, 4, 1]) on one sample, with its clusters, in a few seconds.
Needs the `viz` extra and the Graphviz `dot` program.

    python benchmarks/draw_time.py
"""

from __future__ import annotations

import statistics
import time

from chainrule import Value, draw_dot
from chainrule.nn import MLP
from chainrule.viz.graph import render_svg


def main() -> None:
    for sizes, repeats in (([4, 4, 1], 5), ([16, 16, 1], 3)):
        model = MLP(2, sizes, seed=0)
        loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")])[0] - 1.0) ** 2
        loss.backward()
        draw, render = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            graph = draw_dot(loss, group=True)
            drawn = time.perf_counter()
            render_svg(graph)
            draw.append(drawn - start)
            render.append(time.perf_counter() - drawn)
        print(
            f"MLP(2, {sizes}), one sample, group=True: draw_dot {statistics.median(draw) * 1e3:.0f} ms, "
            f"dot to SVG {statistics.median(render) * 1e3:.0f} ms (median of {repeats})"
        )


if __name__ == "__main__":
    main()
