"""micrograd's `micrograd.engine`: `Value`, which here is chainrule's own `Value`.

Not a copy or a subclass: the same class, so every graph a micrograd program builds is a
chainrule graph, which `explain`, `draw_dot` and the stepper read. It has micrograd's
`data`, `grad`, `backward()`, its operators and `relu()`, and the internals micrograd's
code and the lecture's drawings read: `_prev` (the set of parents), `_op` ('' for every
leaf, the operation otherwise) and `_backward()` (this node's own step of the chain rule).

    >>> from chainrule.micrograd.engine import Value
    >>> x = Value(-4.0)
    >>> y = (x * 2 + 1).relu() + x * x
    >>> y.backward()
    >>> y.data, x.grad
    (16.0, -8.0)

What differs is mostly how, not what. `-`, unary minus and `/` are one node each, where
micrograd builds them from `+`, `*` and `**` (smaller drawings; a quotient may differ from
micrograd's in its last bit); a second `backward()` recomputes the grads of non-leaf
nodes rather than adding to them (leaves add in both); grads are floats (0.0, not 0);
bad input raises an error naming the operation; and `Value(2.0, label='x')` takes the
lecture's label.
"""

from ..engine import Value

__all__ = ["Value"]
