"""One neuron to play with: move w, b, x or the target, watch every local derivative, take descent steps.

The neuron is a = f(z), z = w·x + b, with the squared error L = (a - y)² against
the target y (the cost C = (a - y)² of the seed texts). Every number comes from
the engine: the playground builds the graph with Values, runs `backward`, and
reads the local derivatives from the nodes.

    >>> pg = PlaygroundNeuron()          # x = 2, target 1, w = 0.5, b = 0, sigmoid
    >>> round(pg.a, 4), round(pg.da_dz, 4), round(pg.grad_w, 4)
    (0.7311, 0.1966, -0.2115)
    >>> pg.step() < pg.history[0]        # w <- w - lr * dL/dw, and b likewise
    True

This module is the neuron's maths, `PlaygroundNeuron`; the playground's front ends import
it and it imports neither: `widget` (its anywidget in a notebook) and `page` (the same
neuron as a page that needs no Python). `NeuronPlayground` (`front`) is the neuron with both.
"""

from __future__ import annotations

from typing import NamedTuple

from ...engine import Value, linear
from ...engine.checks import finite_real, one_of, positive_int
from ...explanation import Explanation, explain

__all__ = ["PLAYGROUND_ACTIVATIONS", "SLIDER_RANGES", "SLOPE_FORMULAS", "WARNINGS", "PlaygroundNeuron"]

# The activations the playground offers, in its menu's order: those of `chainrule.nn.ACTIVATIONS`
# but leaky_relu, whose slope would need a slider of its own.
PLAYGROUND_ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")

SLIDER_RANGES = {"w": (-4.0, 4.0), "b": (-4.0, 4.0), "x": (-3.0, 3.0), "target": (-2.0, 2.0), "lr": (0.01, 2.0)}
"""Each slider's starting range, on the page and in the widget; a slider widens to hold a
value set beyond it (by a descent step or by code)."""

SLOPE_FORMULAS = {"sigmoid": "a(1 - a)", "tanh": "1 - a²", "relu": "1 if z > 0, else 0", "linear": "1"}
"""da/dz of each activation written in a and z; its number always comes from the graph."""

WARNINGS = {
    "dead": (
        "Dead ReLU: z ≤ 0, so a = 0 and da/dz = 0 exactly. No gradient reaches w or b, and "
        "descent steps cannot move them: move w or b by hand until z > 0."
    ),
    "vanishing": (
        "da/dz = {factor} is small (below {small}): the {activation} is saturated, so the gradient "
        "barely gets through while the loss is still large. This is where vanishing gradients begin."
    ),
}
"""What `PlaygroundNeuron.warning` says, and the playground page too: {factor}, {small} and
{activation} are filled in."""

# The largest da/dz each activation allows: a(1 - a) never exceeds 1/4.
_MAX_FACTOR = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "linear": 1.0}
# The activations that flatten out far from 0, so their slope can shrink a gradient to nothing.
_SATURATING = ("sigmoid", "tanh")


class _Graph(NamedTuple):
    w: Value
    b: Value
    z: Value
    a: Value
    loss: Value


class PlaygroundNeuron:
    """A single neuron a = f(w·x + b) with loss L = (a - target)², to explore by hand.

    Forward values: `z`, `a`, `loss`. Local derivatives, read from the graph:
    `dloss_da` (2(a - y)), `da_dz` (the activation's slope), `dz_dw` (x), `dz_db` (1).
    Their products are the gradients `grad_w` and `grad_b` (computed by backward).
    `step()` applies gradient descent; `history` lists every loss since the start,
    and `moves` the indices in it where a setting was changed by hand (a move is
    marked, the history goes on). `warning` says when the gradient cannot get through:
    a saturated sigmoid or tanh (`vanishing`) or a dead ReLU (`dead`).

        >>> pg = PlaygroundNeuron(activation="tanh")
        >>> pg.w = -2.0                  # slide w: z = -4, tanh is flat there, far from the target
        >>> pg.vanishing, pg.moves
        (True, [1])
    """

    small_factor = 0.1
    """`vanishing` needs da/dz below this: each such factor shrinks the gradient tenfold."""

    small_loss = 0.05
    """`vanishing` needs the loss at least this: below it the gradient is small because the
    neuron is close to its target (a converging tanh), not because the factor blocks it."""

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
        self._cache: tuple[tuple[float, float, float, float, str], _Graph] | None = None
        self.history: list[float] = [self.loss]
        self.moves: list[int] = []

    # -- settings ------------------------------------------------------------------

    def _moved(self) -> None:
        """Record a setting changed by hand: the new loss, marked. Moves with no step between
        them (a slider dragged) are one move, the last loss standing for them all."""
        if self.moves and self.moves[-1] == len(self.history) - 1:
            self.history[-1] = self.loss
        else:
            self.moves.append(len(self.history))
            self.history.append(self.loss)

    @property
    def x(self) -> float:
        """The input; setting it is a move (see `moves`)."""
        return self._x

    @x.setter
    def x(self, value: float) -> None:
        self._x = finite_real(value, "NeuronPlayground", "x")
        self._moved()

    @property
    def target(self) -> float:
        """The target y the loss compares a with; setting it is a move."""
        return self._target

    @target.setter
    def target(self, value: float) -> None:
        self._target = finite_real(value, "NeuronPlayground", "target")
        self._moved()

    @property
    def w(self) -> float:
        """The weight; setting it is a move."""
        return self._w

    @w.setter
    def w(self, value: float) -> None:
        self._w = finite_real(value, "NeuronPlayground", "w")
        self._moved()

    @property
    def b(self) -> float:
        """The bias; setting it is a move."""
        return self._b

    @b.setter
    def b(self, value: float) -> None:
        self._b = finite_real(value, "NeuronPlayground", "b")
        self._moved()

    @property
    def activation(self) -> str:
        """One of `PLAYGROUND_ACTIVATIONS` ('sigmoid', 'tanh', 'relu', 'linear'); setting it is a move."""
        return self._activation

    @activation.setter
    def activation(self, value: str) -> None:
        self._activation = one_of(value, PLAYGROUND_ACTIVATIONS, "NeuronPlayground", "activation")
        self._moved()

    @property
    def lr(self) -> float:
        """The learning rate of `step()`, > 0 (the loss does not depend on it: no move)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        lr = finite_real(value, "NeuronPlayground", "lr")
        if lr <= 0.0:
            raise ValueError(f"NeuronPlayground: lr must be > 0, got {lr!r}")
        self._lr = lr

    # -- the graph and what it says --------------------------------------------------

    def graph(self) -> Value:
        """The loss node L of the neuron's graph at the current settings, after backward
        (x, w, b, y, z, a and L labelled): for `draw_dot`, `explain` or a stepper."""
        return self._graph().loss

    def _graph(self) -> _Graph:
        """The neuron's graph at the current settings, after backward; rebuilt when they change."""
        key = (self._x, self._target, self._w, self._b, self._activation)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, _build(*key))
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
        """True when a sigmoid or tanh is saturated: da/dz below `small_factor` while the loss
        is still at least `small_loss`, so the factor, not a small error, holds the gradient back."""
        return self._activation in _SATURATING and self.da_dz < self.small_factor and self.loss >= self.small_loss

    @property
    def dead(self) -> bool:
        """True for a ReLU with z <= 0: a = 0 and da/dz = 0 exactly, so no gradient passes at all."""
        return self._activation == "relu" and self.da_dz == 0.0

    @property
    def warning(self) -> str | None:
        """What a learner should notice about the gradient now, or None: a dead ReLU, or the
        small factor of a saturated sigmoid or tanh."""
        if self.dead:
            return WARNINGS["dead"]
        if self.vanishing:
            return WARNINGS["vanishing"].format(
                factor=f"{self.da_dz:.4g}", small=f"{self.small_factor:g}", activation=self._activation
            )
        return None

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
        """dL/dw = dL/da · da/dz · dz/dw, as backward computes it: the slope of `loss_at` at w."""
        return self._graph().w.grad

    @property
    def grad_b(self) -> float:
        """dL/db = dL/da · da/dz · dz/db, as backward computes it."""
        return self._graph().b.grad

    def loss_at(self, w: float) -> float:
        """The loss at weight `w`, everything else as it is: the curve whose slope at `self.w` is `grad_w`."""
        key = (self._x, self._target, finite_real(w, "NeuronPlayground.loss_at", "w"), self._b, self._activation)
        return _build(*key).loss.data

    def explain(self, parameter: str = "w") -> Explanation:
        """The chain rule for dL/dw (or dL/db) written out: see `chainrule.explain`."""
        g = self._graph()
        if parameter not in ("w", "b"):
            raise ValueError(f"NeuronPlayground.explain: parameter must be 'w' or 'b', got {parameter!r}")
        return explain(g.loss, g.w if parameter == "w" else g.b)

    def step(self, count: int = 1) -> float:
        """`count` steps of gradient descent, each w <- w - lr·dL/dw, b <- b - lr·dL/db, each
        loss added to `history`. Returns the last loss."""
        for _ in range(positive_int(count, "NeuronPlayground.step", "count")):
            grad_w, grad_b = self.grad_w, self.grad_b
            self._w -= self._lr * grad_w
            self._b -= self._lr * grad_b
            self.history.append(self.loss)
        return self.history[-1]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(x={self._x!r}, target={self._target!r}, w={self._w!r}, b={self._b!r}, "
            f"activation={self._activation!r}, lr={self._lr!r})"
        )


def _build(x_: float, target: float, w_: float, b_: float, activation: str) -> _Graph:
    """The neuron's graph at these settings, after backward."""
    x, w, b, y = Value(x_, "x"), Value(w_, "w"), Value(b_, "b"), Value(target, "y")
    z = linear([w], [x], b)  # one node: dz/dw = x, dz/db = 1
    z.label = "z"
    a = z if activation == "linear" else getattr(z, activation)()
    if a is not z:
        a.label = "a"
    loss = (a - y) ** 2
    loss.label = "L"
    loss.backward()
    return _Graph(w, b, z, a, loss)
