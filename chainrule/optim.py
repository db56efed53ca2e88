"""Optimizers: `SGD` and `Adam`, each the exact update rule of its `torch.optim` namesake.

An optimizer holds a list of parameters (Values). `step()` moves each one using
its `.grad`; `zero_grad()` resets the grads, which otherwise accumulate. `lr` can
be set between steps, so a schedule is one line:

    >>> from chainrule.nn import MLP
    >>> model = MLP(2, [4, 1], seed=0)
    >>> opt = SGD(model.parameters(), lr=1.0)
    >>> for k in range(3):
    ...     opt.lr = 1.0 - 0.9 * k / 100   # micrograd's decaying learning rate
    ...     opt.zero_grad()
    ...     loss = model([1.0, -1.0])[0] ** 2
    ...     loss.backward()
    ...     opt.step()

Optimizers are listed in order of increasing complexity.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable

from .engine import Value
from .engine.checks import instance_of, nonnegative_real, real_in

__all__ = ["SGD", "Adam", "Optimizer", "parameter_list"]


def parameter_list(params: Iterable[Value], where: str) -> list[Value]:
    """`params` as a list, each item checked to be a Value; what `Optimizer` and
    `clip_grad_norm` take. TypeError naming `where` for anything else, the usual slip
    (a model, or its `parameters` method not called) with the call to write instead.

        >>> parameter_list([Value(1.0)], "SGD")
        [Value(data=1.0, grad=0.0)]
    """
    if isinstance(params, Value) or callable(params) or not hasattr(params, "__iter__"):
        # A Module is callable and not iterable; its `parameters` method is callable too.
        hint = "call it: " if inspect.ismethod(params) else ""
        raise TypeError(
            f"{where}: params must be an iterable of Values, got {type(params).__name__}; {hint}pass model.parameters()"
        )
    out = list(params)
    for i, p in enumerate(out):
        instance_of(p, Value, where, f"parameter {i}")
    return out


class Optimizer:
    """Base class: the parameter list, `lr`, `zero_grad()`; subclasses define `step()`.

    Raises TypeError for `params` that is not an iterable of Values (a model: pass
    `model.parameters()`) or a learning rate that is not a number, and ValueError for
    an empty parameter list, a parameter listed twice, a parameter that is not a leaf
    (computed from others, such as `x * 2`: as torch, only leaves can be optimised), or
    a negative learning rate.
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        name = type(self).__name__
        self.params = parameter_list(params, name)
        if not self.params:
            raise ValueError(f"{name}: the parameter list is empty")
        seen: set[Value] = set()
        for i, p in enumerate(self.params):
            if not p.is_leaf:
                raise ValueError(
                    f"{name}: parameter {i} ({p!r}) is not a leaf but the result of {p.op!r}, so a step "
                    "would change a computed number, not a parameter; pass the Values it was computed from"
                )
            if p in seen:
                raise ValueError(f"{name}: parameter {i} ({p!r}) appears more than once")
            seen.add(p)
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate; set it between steps to follow a schedule. Must be >= 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = nonnegative_real(value, type(self).__name__, "lr")

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (grads of leaves accumulate across backward calls)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its grad."""
        raise NotImplementedError(f"{type(self).__name__} does not define step()")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and weight decay.

    Each step, as `torch.optim.SGD` (no dampening, no Nesterov):

        g = p.grad + weight_decay * p
        v = g on the first step, then v = momentum * v + g      (when momentum > 0)
        p = p - lr * v                                          (v = g without momentum)

    Weight decay is the gradient of (weight_decay / 2) * p**2, an L2 penalty.

        >>> p = Value(1.0); p.grad = 2.0
        >>> SGD([p], lr=0.1).step(); p.data
        0.8
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = nonnegative_real(momentum, "SGD", "momentum")
        self.weight_decay = nonnegative_real(weight_decay, "SGD", "weight_decay")
        self._velocity: list[float] | None = None

    def step(self) -> None:
        """p -= lr * (momentum buffer or grad), with weight decay added to the grad."""
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        grads = [p.grad + wd * p.data if wd else p.grad for p in self.params]
        if mu:
            velocity = self._velocity
            # As in torch, the first step starts the buffer at the grad itself, not at 0.
            velocity = grads if velocity is None else [mu * v + g for v, g in zip(velocity, grads)]
            self._velocity = grads = velocity
        for p, g in zip(self.params, grads):
            p.data = p.data - lr * g

    def __repr__(self) -> str:
        return (
            f"SGD({len(self.params)} parameters, lr={self.lr!r}, momentum={self.momentum!r}, "
            f"weight_decay={self.weight_decay!r})"
        )


class Adam(Optimizer):
    """Adam: per-parameter step sizes from running averages of the grad and its square.

    Each step t = 1, 2, ..., as `torch.optim.Adam` (weight decay in its L2 form,
    added to the grad, not AdamW's decoupled form):

        g = p.grad + weight_decay * p
        m = beta1 * m + (1 - beta1) * g          (m, v start at 0)
        v = beta2 * v + (1 - beta2) * g * g
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    dividing by 1 - beta**t undoes the pull of the zero start towards 0 (bias
    correction), so the first steps have size about lr.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)):
            raise TypeError(f"Adam: betas must be a pair of numbers in [0, 1), got {type(betas).__name__}")
        if len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair of numbers in [0, 1), got {betas!r}")
        self.betas = (real_in(betas[0], 0.0, 1.0, "Adam", "betas[0]"), real_in(betas[1], 0.0, 1.0, "Adam", "betas[1]"))
        self.eps = nonnegative_real(eps, "Adam", "eps")
        self.weight_decay = nonnegative_real(weight_decay, "Adam", "weight_decay")
        self.t = 0
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)

    def step(self) -> None:
        """One Adam update of every parameter (see the class docstring)."""
        self.t += 1
        b1, b2 = self.betas
        wd, eps = self.weight_decay, self.eps
        step_size = self.lr / (1.0 - b1**self.t)
        correction2 = math.sqrt(1.0 - b2**self.t)
        m, v = self._m, self._v
        # Written as torch computes it (m moves towards g by a fraction 1 - beta1),
        # so the two agree to the last bits rather than to rounding error.
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            m[i] += (1.0 - b1) * (g - m[i])
            v[i] = v[i] * b2 + (1.0 - b2) * g * g
            denom = math.sqrt(v[i]) / correction2 + eps
            p.data = p.data - step_size * (m[i] / denom if denom else _divide_by_zero(m[i]))

    def __repr__(self) -> str:
        return (
            f"Adam({len(self.params)} parameters, lr={self.lr!r}, betas={self.betas!r}, eps={self.eps!r}, "
            f"weight_decay={self.weight_decay!r})"
        )


def _divide_by_zero(x: float) -> float:
    """x / 0.0 as IEEE floats (and torch) give it: nan for 0 or nan, +-inf otherwise; Adam
    divides by 0 when eps is 0 and a parameter has had only zero grads."""
    return math.nan if x == 0.0 or x != x else math.copysign(math.inf, x)
