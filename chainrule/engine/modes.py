"""The modes that every new node reads: whether history is recorded (`no_grad`), and which
Modules' forward passes are running (the scope drawings group nodes by)."""

from __future__ import annotations

from contextlib import ContextDecorator
from types import TracebackType
from typing import Any

__all__ = ["current_scope", "enter_scope", "is_grad_enabled", "module_scope", "no_grad", "restore_scope", "state"]


class _State:
    __slots__ = ("grad_enabled", "scope")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.scope: tuple[Any, ...] = ()


state = _State()
"""What every new node reads: `grad_enabled` (False inside `no_grad`) and `scope` (the
Modules whose forward pass is running, outermost first). Change them through `no_grad`
and `enter_scope`, not by hand."""


class no_grad(ContextDecorator):  # noqa: N801 - named after torch.no_grad, as users expect
    """Context manager (or decorator) in which new Values record no history.

    Values computed inside have no parents, so no gradient flows through them.
    It nests, and restores the previous state on exit, exceptions included.

        >>> from chainrule import Value
        >>> w = Value(3.0)
        >>> with no_grad():
        ...     y = w * 2
        >>> y.is_leaf
        True
    """

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> no_grad:
        self._saved.append(state.grad_enabled)
        state.grad_enabled = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        state.grad_enabled = self._saved.pop()


def is_grad_enabled() -> bool:
    """False inside `no_grad`, True otherwise."""
    return state.grad_enabled


def enter_scope(module: object) -> tuple[Any, ...]:
    """Record `module` as the creator of every node made until `restore_scope(token)`;
    returns that token. `module_scope` is the same as a `with` block; these two are for
    code that runs once per neuron per sample (`chainrule.nn.Module.__call__`), where
    they cost a third of what a context manager costs."""
    saved = state.scope
    state.scope = (*saved, module)
    return saved


def restore_scope(token: tuple[Any, ...]) -> None:
    """End what `enter_scope` began: nodes are attributed as they were before it."""
    state.scope = token


class module_scope:  # noqa: N801 - used like a function: `with module_scope(m):`
    """Record `module` as the creator of every node made inside this block.

    Drawings group nodes by the Module that made them: each node keeps the chain of
    Modules whose forward pass was running (`Value.scope`, outermost first).
    `chainrule.nn.Module.__call__` records every forward pass so (through
    `enter_scope`); use this to attribute nodes built outside a module's own call (as a
    custom training step might). The cost is one tuple per block and one reference per
    node.
    """

    __slots__ = ("_module", "_saved")

    def __init__(self, module: object) -> None:
        self._module = module
        self._saved: tuple[Any, ...] = ()

    def __enter__(self) -> None:
        self._saved = enter_scope(self._module)

    def __exit__(self, *exc: object) -> None:
        restore_scope(self._saved)


def current_scope() -> tuple[Any, ...]:
    """The chain of Modules whose forward pass is running now, outermost first; () outside any."""
    return state.scope
