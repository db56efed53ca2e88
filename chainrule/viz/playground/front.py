"""`NeuronPlayground`: the playground's neuron (`PlaygroundNeuron`, its maths) with its two
front ends, the anywidget in a notebook (`widget`, `show`) and the offline page (`page`).

The front ends read the neuron; it knows nothing of them, so the data goes one way:
the engine's numbers -> the neuron -> a widget or a page.

    >>> pg = NeuronPlayground(activation="tanh")
    >>> pg.show()              # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .neuron import PlaygroundNeuron
from .page import PlaygroundPage

if TYPE_CHECKING:
    from .widget import PlaygroundWidget

__all__ = ["NeuronPlayground"]


class NeuronPlayground(PlaygroundNeuron):
    """A single neuron a = f(w·x + b) with loss L = (a - target)², to explore by hand.

    Forward values: `z`, `a`, `loss`. Local derivatives, read from the graph:
    `dloss_da` (2(a - y)), `da_dz` (the activation's slope), `dz_dw` (x), `dz_db` (1).
    Their products are the gradients `grad_w` and `grad_b` (computed by backward).
    `step()` applies gradient descent; `history` lists every loss since the start,
    and `moves` the indices in it where a setting was changed by hand (a move is
    marked, the history goes on). `warning` says when the gradient cannot get through:
    a saturated sigmoid or tanh (`vanishing`) or a dead ReLU (`dead`). In a notebook,
    `show()` draws it with its controls; `page()` is the same neuron as an offline page.

        >>> pg = NeuronPlayground(activation="tanh")
        >>> pg.w = -2.0                  # slide w: z = -4, tanh is flat there, far from the target
        >>> pg.vanishing, pg.moves
        (True, [1])
    """

    def widget(self) -> PlaygroundWidget:
        """The playground as a notebook widget (`chainrule.viz.playground.widget.PlaygroundWidget`,
        an anywidget): the neuron's drawing with its numbers, sliders for w, b, x, the target
        and the learning rate, the activation, "descent step" and "10 steps" buttons, the
        loss against w with its tangent, and the loss history. Each control moves this
        playground, and every number shown is read from its graph.

        Needs anywidget (the `notebooks` extra) and Graphviz for the drawing.
        """
        # Imported when called: the widget's module needs anywidget, an optional extra that
        # importing chainrule.viz must not need. The import goes down a layer, so makes no circle.
        from .widget import PlaygroundWidget

        return PlaygroundWidget(self)

    def page(self) -> PlaygroundPage:
        """The playground page (`chainrule.viz.save_playground`) starting at these settings: in
        Jupyter it shows inline and keeps working with no kernel (on GitHub, in nbviewer, in an
        exported notebook); `.save(path)` writes it."""
        return PlaygroundPage(x=self.x, target=self.target, w=self.w, b=self.b, activation=self.activation, lr=self.lr)

    def show(self) -> None:
        """Display the playground in a notebook (see `widget`)."""
        box = self.widget()
        from IPython.display import display

        display(box)  # type: ignore[no-untyped-call]
