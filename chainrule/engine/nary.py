"""The primitives with any number of inputs, each one node however many: `linear`, a
neuron's weighted sum, and `logsumexp`, the stable heart of softmax cross-entropy."""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul

from .floats import logsumexp_floats
from .value import NARY, Number, Value, constant, node

__all__ = ["linear", "logsumexp"]


def linear(
    weights: Sequence[Value],
    inputs: Sequence[Value | Number],
    bias: Value,
    input_data: Sequence[float] | None = None,
) -> Value:
    """The weighted sum w1*x1 + ... + wn*xn + b as one node with 2n+1 parents.

    Its parents are the weights, then the inputs, then the bias; the local
    derivatives are x_i for w_i, w_i for x_i, and 1 for b. One node instead of 2n
    binary ones keeps a neuron's graph small and its drawing readable. Plain numbers
    among the inputs become constants. `input_data`, when given, must be the inputs'
    `.data` (all inputs then Values): a Layer reads it once for all its neurons.

        >>> w, x, b = [Value(3.0)], [Value(2.0)], Value(1.0)
        >>> z = linear(w, x, b)
        >>> z.data, z.local_grads
        (7.0, (2.0, 3.0, 1.0))
    """
    if len(weights) != len(inputs):
        raise ValueError(f"linear: {len(weights)} weights but {len(inputs)} inputs")
    if input_data is None:
        xs = [x if isinstance(x, Value) else _as_value(x, "linear") for x in inputs]
        input_data = [x._data for x in xs]
    else:
        xs = inputs  # type: ignore[assignment]  # all Values, as documented
    w_data = [w._data for w in weights]  # the slot, not the checked `data`: once per neuron per sample
    out: float = sum(map(mul, w_data, input_data), bias._data)
    return node(out, "linear", (*weights, *xs, bias), (*input_data, *w_data, 1.0), NARY)


def logsumexp(values: Sequence[Value]) -> Value:
    """log(sum(exp(v))) as one node, computed stably; d/dv_i = softmax(v)_i.

    The largest value is factored out first, so logits of +-1000 work. A -inf value
    adds nothing and gets slope 0, as in torch. With a +inf value the result is +inf and
    the slopes are softmax's limit: 1 for a lone +inf, 0 for every finite or -inf value
    (torch: nan at the +inf); several +inf share a weight that depends on how each got
    there, so their slopes are nan. All -inf gives -inf with nan slopes, as torch.
    """
    if not values:
        raise ValueError("logsumexp: needs at least one value")
    out, softmax = logsumexp_floats([v._data for v in values])
    return node(out, "logsumexp", tuple(values), softmax, NARY)


def _as_value(x: object, op: str) -> Value:
    const = constant(x)
    if const is None:
        raise TypeError(f"{op}: expected a Value or a real number, got {type(x).__name__}")
    return const
