"""micrograd 0.1.0's package, on chainrule's engine: code written for micrograd runs with
only its imports changed.

- `from micrograd.engine import Value` becomes `from chainrule.micrograd.engine import Value`;
- `from micrograd.nn import MLP` becomes `from chainrule.micrograd.nn import MLP`
  (and `from micrograd import nn` becomes `from chainrule.micrograd import nn`).

`chainrule.micrograd.engine.Value` is chainrule's own `Value`, with what micrograd's code
reads (`_prev`, `_op`, `_backward()`), so `explain`, `draw_dot` and the stepper work on
the graphs such code builds. `chainrule.micrograd.nn` has micrograd's `Module`, `Neuron`,
`Layer` and `MLP`, with its semantics, built as chainrule Modules.

    >>> import random
    >>> from chainrule.micrograd.nn import MLP
    >>> random.seed(1337)
    >>> model = MLP(2, [16, 16, 1])
    >>> len(model.parameters())
    337
    >>> type(model([1.0, -1.0])).__name__   # one output: a Value, as in micrograd
    'Value'
"""

from . import engine, nn

__all__ = ["engine", "nn"]
