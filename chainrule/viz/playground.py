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

In Jupyter, `pg.show()` draws it with sliders for w and b and a "descent step" button
(`chainrule.viz.playground_widget` builds that; this module is the neuron's maths).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..engine import Value, linear
from ..engine.checks import finite_real, one_of
from ..explanation import Explanation, explain

__all__ = ["PLAYGROUND_ACTIVATIONS", "NeuronPlayground"]

# The activations the playground offers, in its menu's order: those of `chainrule.nn.ACTIVATIONS`
# but leaky_relu, whose slope would need a slider of its own.
PLAYGROUND_ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")

# The largest da/dz each activation allows: a(1 - a) never exceeds 1/4.
_MAX_FACTOR = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "linear": 1.0}


class _Graph(NamedTuple):
    w: Value
    b: Value
    z: Value
    a: Value
    loss: Value


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
        self._x = finite_real(x, "NeuronPlayground", "x")
        self._target = finite_real(target, "NeuronPlayground", "target")
        self._w = finite_real(w, "NeuronPlayground", "w")
        self._b = finite_real(b, "NeuronPlayground", "b")
        self._activation = one_of(activation, PLAYGROUND_ACTIVATIONS, "NeuronPlayground", "activation")
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
        self._w = finite_real(value, "NeuronPlayground", "w")
        self.history = [self.loss]

    @property
    def b(self) -> float:
        """The bias; setting it restarts `history`."""
        return self._b

    @b.setter
    def b(self, value: float) -> None:
        self._b = finite_real(value, "NeuronPlayground", "b")
        self.history = [self.loss]

    @property
    def activation(self) -> str:
        """One of `PLAYGROUND_ACTIVATIONS` ('sigmoid', 'tanh', 'relu', 'linear'); setting it restarts `history`."""
        return self._activation

    @activation.setter
    def activation(self, value: str) -> None:
        self._activation = one_of(value, PLAYGROUND_ACTIVATIONS, "NeuronPlayground", "activation")
        self.history = [self.loss]

    @property
    def lr(self) -> float:
        """The learning rate of `step()`, > 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        lr = finite_real(value, "NeuronPlayground", "lr")
        if lr <= 0.0:
            raise ValueError(f"NeuronPlayground: lr must be > 0, got {lr!r}")
        self._lr = lr

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

    # -- in Jupyter ------------------------------------------------------------------

    def widget(self) -> Any:
        """The playground as an ipywidgets box: sliders for w and b, the factors, a descent-step button.

        Needs ipywidgets (`pip install 'chainrule[notebooks]'`). Moving a slider sets w
        or b; the button calls `step()` and moves the sliders to the new values.
        """
        # Imported here: the widget is built on this class, not this class on the widget.
        from .playground_widget import playground_widget

        return playground_widget(self)

    def show(self) -> None:
        """Display the playground in Jupyter (see `widget`)."""
        box = self.widget()
        from IPython.display import display

        display(box)  # type: ignore[no-untyped-call]
