"""What the neuron playground's front end should show, page or widget: every text a reader
compares, from the engine, written as `format_number` writes it. One helper for the tests of
the page (tests/test_playground_page.py) and of the widget (tests/test_playground_widget.py)."""

from __future__ import annotations

from chainrule.engine import topological_order
from chainrule.notation import format_number
from chainrule.viz import NeuronPlayground


def expected_view(pg: NeuronPlayground) -> dict:
    """What the playground's front end should show for `pg`, from the engine."""
    n = format_number
    nodes = topological_order(pg.graph())
    return {
        "shown": {
            "w": n(pg.w),
            "b": n(pg.b),
            "x": n(pg.x),
            "target": n(pg.target),
            "lr": n(pg.lr),
            "z": n(pg.z),
            "a": n(pg.a),
            "L": n(pg.loss),
        },
        "factors": [n(pg.dloss_da), n(pg.da_dz), n(pg.dz_dw), n(pg.grad_w)],
        "chains": [str(pg.explain("w")), str(pg.explain("b"))],
        "warning": pg.warning,
        "activation": pg.activation,
        "boxes": {str(i): [n(v.data), n(v.grad)] for i, v in enumerate(nodes)},
        "edges": {f"{i}_{k}": n(d) for i, v in enumerate(nodes) for k, d in enumerate(v.local_grads)},
    }
