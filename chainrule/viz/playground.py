"""One neuron to play with: move w and b, watch every local derivative, take descent steps.

The neuron is a = f(z), z = w·x + b, with the squared error L = (a - y)² against
the target y (the cost C = (a - y)² of the seed texts). Every number comes from
the engine: the playground builds the graph with Values, runs `backward`, and
reads the local derivatives from the nodes.

    >>> pg = NeuronPlayground()          # x = 2, target 1, w = 0.5, b = 0, sigmoid
    >>> round(pg.a, 4), round(pg.da_dz, 4), round(pg.grad_w, 4)
    (0.7311, 0.1966, -0.2115)
    >>> pg.step() < pg.history[0]        # w <- w - lr * dL/dw, and b likewise
    True

In Jupyter, `pg.show()` draws it with sliders for w and b and a "descent step" button.
"""

from __future__ import annotations

import html
import math
from typing import Any, NamedTuple

from ..engine import Value, linear
from ..engine.checks import finite_real
from ..explanation import Explanation, explain
from ..notation import format_number

__all__ = ["ACTIVATIONS", "NeuronPlayground"]

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")

# The largest da/dz each activation allows: a(1 - a) never exceeds 1/4.
_MAX_FACTOR = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "linear": 1.0}
# How the local derivatives read as formulas (their numbers come from the graph).
_DA_DZ = {"sigmoid": "a(1 - a)", "tanh": "1 - a²", "relu": "1 if z > 0, else 0", "linear": "1"}
_F = {"sigmoid": "sigmoid(z)", "tanh": "tanh(z)", "relu": "relu(z)", "linear": "z"}


class _Graph(NamedTuple):
    w: Value
    b: Value
    z: Value
    a: Value
    loss: Value


def _real(owner: str, name: str, value: object) -> float:
    return finite_real(value, owner, name)


class NeuronPlayground:
    """A single neuron a = f(w·x + b) with loss L = (a - target)², to explore by hand.

    Forward values: `z`, `a`, `loss`. Local derivatives, read from the graph:
    `dloss_da` (2(a - y)), `da_dz` (the activation's slope), `dz_dw` (x), `dz_db` (1).
    Their products are the gradients `grad_w` and `grad_b` (computed by backward).
    `step()` applies one step of gradient descent; `history` lists the losses since
    w, b or the activation were last set by hand. `vanishing` flags a small da/dz,
    where vanishing gradients begin: the sigmoid's a(1 - a) is at most 0.25
    (`da_dz_max`) and near 0 once |z| is large.

        >>> pg = NeuronPlayground(activation="tanh")
        >>> pg.w = 2.0                   # slide w: z = 4, tanh is flat there
        >>> pg.vanishing
        True
    """

    small_factor = 0.1
    """`vanishing` is True when da/dz is below this: each such factor shrinks the gradient tenfold."""

    def __init__(
        self,
        x: float = 2.0,
        target: float = 1.0,
        w: float = 0.5,
        b: float = 0.0,
        activation: str = "sigmoid",
        lr: float = 0.5,
    ) -> None:
        self._x = _real("NeuronPlayground", "x", x)
        self._target = _real("NeuronPlayground", "target", target)
        self._w = _real("NeuronPlayground", "w", w)
        self._b = _real("NeuronPlayground", "b", b)
        self._activation = self._checked_activation(activation)
        self.lr = lr
        self._cache: tuple[tuple[float, float, str], _Graph] | None = None
        self.history: list[float] = [self.loss]

    # -- settings ------------------------------------------------------------------

    @property
    def x(self) -> float:
        """The input (fixed at construction)."""
        return self._x

    @property
    def target(self) -> float:
        """The target y the loss compares a with (fixed at construction)."""
        return self._target

    @property
    def w(self) -> float:
        """The weight; setting it restarts `history`."""
        return self._w

    @w.setter
    def w(self, value: float) -> None:
        self._w = _real("NeuronPlayground", "w", value)
        self.history = [self.loss]

    @property
    def b(self) -> float:
        """The bias; setting it restarts `history`."""
        return self._b

    @b.setter
    def b(self, value: float) -> None:
        self._b = _real("NeuronPlayground", "b", value)
        self.history = [self.loss]

    @property
    def activation(self) -> str:
        """One of 'sigmoid', 'tanh', 'relu', 'linear'; setting it restarts `history`."""
        return self._activation

    @activation.setter
    def activation(self, value: str) -> None:
        self._activation = self._checked_activation(value)
        self.history = [self.loss]

    @property
    def lr(self) -> float:
        """The learning rate of `step()`, > 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        lr = _real("NeuronPlayground", "lr", value)
        if lr <= 0.0:
            raise ValueError(f"NeuronPlayground: lr must be > 0, got {lr!r}")
        self._lr = lr

    @staticmethod
    def _checked_activation(value: object) -> str:
        if value not in ACTIVATIONS:
            raise ValueError(f"NeuronPlayground: activation must be one of {', '.join(ACTIVATIONS)}; got {value!r}")
        return str(value)

    # -- the graph and what it says --------------------------------------------------

    def _graph(self) -> _Graph:
        """The neuron's graph at the current w and b, after backward; rebuilt when they change."""
        key = (self._w, self._b, self._activation)
        if self._cache is None or self._cache[0] != key:
            x, w, b, y = Value(self._x, "x"), Value(self._w, "w"), Value(self._b, "b"), Value(self._target, "y")
            z = linear([w], [x], b)  # one node: dz/dw = x, dz/db = 1
            z.label = "z"
            a = z if self._activation == "linear" else getattr(z, self._activation)()
            if a is not z:
                a.label = "a"
            loss = (a - y) ** 2
            loss.label = "L"
            loss.backward()
            self._cache = (key, _Graph(w, b, z, a, loss))
        return self._cache[1]

    @property
    def z(self) -> float:
        """The pre-activation w·x + b."""
        return self._graph().z.data

    @property
    def a(self) -> float:
        """The activation f(z), the neuron's output."""
        return self._graph().a.data

    @property
    def loss(self) -> float:
        """The squared error (a - target)²."""
        return self._graph().loss.data

    @property
    def dloss_da(self) -> float:
        """dL/da = 2(a - target): the gradient arriving at a."""
        return self._graph().a.grad

    @property
    def da_dz(self) -> float:
        """da/dz, the activation's local derivative (1 for 'linear', where a is z itself)."""
        g = self._graph()
        return 1.0 if g.a is g.z else g.a.local_grads[0]

    @property
    def da_dz_max(self) -> float:
        """The largest da/dz the activation allows: 0.25 for the sigmoid, 1 for the others."""
        return _MAX_FACTOR[self._activation]

    @property
    def vanishing(self) -> bool:
        """True when da/dz is below `small_factor`: the gradient barely gets through."""
        return self.da_dz < self.small_factor

    @property
    def dz_dw(self) -> float:
        """dz/dw = x."""
        return self._graph().z.local_grads[0]

    @property
    def dz_db(self) -> float:
        """dz/db = 1."""
        return self._graph().z.local_grads[2]

    @property
    def grad_w(self) -> float:
        """dL/dw = dL/da · da/dz · dz/dw, as backward computes it."""
        return self._graph().w.grad

    @property
    def grad_b(self) -> float:
        """dL/db = dL/da · da/dz · dz/db, as backward computes it."""
        return self._graph().b.grad

    def explain(self, parameter: str = "w") -> Explanation:
        """The chain rule for dL/dw (or dL/db) written out: see `chainrule.explain`."""
        g = self._graph()
        if parameter not in ("w", "b"):
            raise ValueError(f"NeuronPlayground.explain: parameter must be 'w' or 'b', got {parameter!r}")
        return explain(g.loss, g.w if parameter == "w" else g.b)

    def step(self) -> float:
        """One step of gradient descent: w <- w - lr·dL/dw, b <- b - lr·dL/db. Returns the new loss."""
        grad_w, grad_b = self.grad_w, self.grad_b
        self._w -= self._lr * grad_w
        self._b -= self._lr * grad_b
        self.history.append(self.loss)
        return self.history[-1]

    def __repr__(self) -> str:
        return (
            f"NeuronPlayground(x={self._x!r}, target={self._target!r}, w={self._w!r}, b={self._b!r}, "
            f"activation={self._activation!r}, lr={self._lr!r})"
        )

    # -- drawing -------------------------------------------------------------------

    def widget(self) -> Any:
        """The playground as an ipywidgets box: sliders for w and b, the factors, a descent-step button.

        Needs ipywidgets (`pip install 'chainrule[notebooks]'`). Moving a slider sets w
        or b; the button calls `step()` and moves the sliders to the new values.
        """
        try:
            import ipywidgets as widgets  # type: ignore[import-untyped]  # ships no type information
        except ImportError as exc:
            raise ImportError("NeuronPlayground.show needs ipywidgets: pip install 'chainrule[notebooks]'") from exc

        def slider(name: str, value: float) -> Any:
            reach = max(4.0, math.ceil(abs(value)))
            return widgets.FloatSlider(
                value=value, min=-reach, max=reach, step=0.01, description=name, readout_format=".2f"
            )

        w_slider, b_slider = slider("w", self._w), slider("b", self._b)
        activation = widgets.Dropdown(options=ACTIVATIONS, value=self._activation, description="activation")
        button = widgets.Button(description="descent step", tooltip="w ← w - lr·dL/dw, b ← b - lr·dL/db")
        panel, losses = widgets.HTML(), widgets.HTML()
        moving_sliders = False  # the button moves the sliders; that is not a hand-set w or b

        def refresh() -> None:
            panel.value = self._panel_html()
            losses.value = self._history_html()

        def on_change(change: Any) -> None:
            if moving_sliders:
                return
            self.w, self.b, self.activation = w_slider.value, b_slider.value, activation.value
            refresh()

        def on_step(_: Any) -> None:
            nonlocal moving_sliders
            self.step()
            moving_sliders = True
            try:
                for s, value in ((w_slider, self._w), (b_slider, self._b)):
                    reach = max(s.max, math.ceil(abs(value)))
                    s.min, s.max = -reach, reach
                    s.value = value
            finally:
                moving_sliders = False
            refresh()

        for control in (w_slider, b_slider, activation):
            control.observe(on_change, names="value")
        button.on_click(on_step)
        refresh()
        return widgets.VBox([widgets.HBox([w_slider, b_slider, activation]), panel, button, losses])

    def show(self) -> None:
        """Display the playground in Jupyter (see `widget`)."""
        box = self.widget()
        from IPython.display import display

        display(box)  # type: ignore[no-untyped-call]

    def _panel_html(self) -> str:
        """The forward values, the local derivatives and the gradients, as an HTML table."""
        n, f = format_number, self._activation
        slope = n(self.da_dz) + (f" (at most {n(self.da_dz_max)})" if f == "sigmoid" else "")
        rows = [
            ("z = w·x + b", f"{n(self._w)} · {n(self._x)} + {n(self._b)} = {n(self.z)}"),
            (f"a = {_F[f]}", n(self.a)),
            ("L = (a - y)²", f"({n(self.a)} - {n(self._target)})² = {n(self.loss)}"),
            ("dL/da = 2(a - y)", n(self.dloss_da)),
            (f"da/dz = {_DA_DZ[f]}", slope),
            ("dz/dw = x", n(self.dz_dw)),
            ("dz/db = 1", n(self.dz_db)),
        ]
        cells = [f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows]
        if self.vanishing:
            cells[4] = cells[4].replace(
                "</td></tr>",
                f' <b style="color:#c00">small (below {self.small_factor:g}): the gradient barely gets through;'
                " this is where vanishing gradients begin</b></td></tr>",
            )
        chains = "".join(f"<div><code>{html.escape(str(self.explain(p)))}</code></div>" for p in ("w", "b"))
        return f"<table>{''.join(cells)}</table>{chains}"

    def _history_html(self) -> str:
        """The losses so far: a small inline SVG line and the last few numbers."""
        losses = self.history
        top = max(losses) or 1.0
        width, height = 240, 60
        step = width / max(len(losses) - 1, 1)
        points = " ".join(f"{i * step:.1f},{height - height * v / top:.1f}" for i, v in enumerate(losses))
        svg = (
            f'<svg width="{width}" height="{height}" style="border:1px solid #ccc">'
            f'<polyline points="{points}" fill="none" stroke="#c00" stroke-width="2"/></svg>'
        )
        recent = " → ".join(format_number(v) for v in losses[-6:])
        steps = len(losses) - 1
        return f"<div>loss after {steps} step{'' if steps == 1 else 's'}: {html.escape(recent)}</div>{svg}"
