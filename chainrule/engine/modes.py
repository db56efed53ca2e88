"""The modes that every new node reads: whether history is recorded (`no_grad`), and which
Modules' forward passes are running (the scope drawings group nodes by).

Both are per thread, as PyTorch keeps grad mode: a thread inside `no_grad` or a
Module's forward pass changes nothing for the nodes another thread makes. Each thread
that changes a mode gets its own `Modes`, kept in a `threading.local`; until any thread
has changed one, every node reads `DEFAULT_MODES` instead (grad on, no scope), so a
script that never uses `no_grad` or a Module pays nothing for threads. Once one has,
every node reads its thread's `Modes`: CPython takes about 400 machine instructions for
that read, the price of correct threads (`benchmarks/instructions.py`: 3.6% of a W1 step;
a `threading.local` subclass with class defaults, read twice per node, cost 13% of a W2
graph, and a `contextvars.ContextVar` 7%).
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from contextlib import ContextDecorator
from types import TracebackType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "DEFAULT_MODES",
    "Modes",
    "current_modes",
    "enter_scope",
    "is_grad_enabled",
    "no_grad",
    "own_modes",
    "per_thread",
    "restore_scope",
    "switch_scope",
    "switched",
]


class Modes:
    """One thread's modes: `grad_enabled` (False inside `no_grad`) and `scope` (the Modules
    whose forward pass is running, outermost first)."""

    __slots__ = ("grad_enabled", "scope")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.scope: tuple[Any, ...] = ()


class _Switch:
    __slots__ = ("on",)

    def __init__(self) -> None:
        self.on = False


DEFAULT_MODES = Modes()
"""The modes of a thread that has changed none (grad on, no scope); never changed itself."""
per_thread = threading.local()
"""`per_thread.modes`: the `Modes` of each thread that has changed one (an AttributeError
in the others). A plain `threading.local`, not a subclass: CPython reads those faster."""
switched = _Switch()
"""`switched.on` is True once any thread has changed a mode: until then every node reads
`DEFAULT_MODES` without looking at `per_thread`. Change modes through `no_grad` and
`enter_scope`, not by hand."""


def own_modes() -> Modes:
    """This thread's own `Modes`, made (with grad on and no scope) at its first call: for
    changing a mode, and for `node` in a thread that has changed none."""
    try:
        modes: Modes = per_thread.modes
    except AttributeError:
        modes = per_thread.modes = Modes()
        switched.on = True
    return modes


def current_modes() -> Modes:
    """This thread's modes, to read."""
    return own_modes() if switched.on else DEFAULT_MODES


class no_grad(ContextDecorator):  # noqa: N801 - named after torch.no_grad, as users expect
    """Context manager (or decorator) in which new Values record no history.

    Values computed inside have no parents, so no gradient flows through them.
    It nests, and restores the previous state on exit, exceptions included. Grad mode
    is per thread: other threads keep recording while one is inside `no_grad`.

        >>> from chainrule import Value
        >>> w = Value(3.0)
        >>> with no_grad():
        ...     y = w * 2
        >>> y.is_leaf
        True

    As a decorator (`@no_grad()`) it also serves generator functions, as torch's does:
    each resumption of the generator runs under `no_grad`, and what runs between its
    `yield`s in the caller records as usual.
    """

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def _recreate_cm(self) -> no_grad:
        # As a decorator, a fresh instance per call: one shared `_saved` stack would mix
        # up the states of calls running at once in different threads.
        return no_grad()

    def __call__(self, func: F) -> F:
        if inspect.isgeneratorfunction(func):
            return _each_resumption_without_grad(func)  # type: ignore[return-value]
        return super().__call__(func)

    def __enter__(self) -> no_grad:
        modes = own_modes()
        self._saved.append(modes.grad_enabled)
        modes.grad_enabled = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        own_modes().grad_enabled = self._saved.pop()


def _each_resumption_without_grad(func: Callable[..., Generator[Any, Any, Any]]) -> Callable[..., Any]:
    """`func`, a generator function, with every step of its generators inside `no_grad`."""

    @functools.wraps(func)
    def generator(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        gen = func(*args, **kwargs)
        try:
            with no_grad():
                item = next(gen)
            while True:
                try:
                    sent = yield item
                except GeneratorExit:
                    with no_grad():
                        gen.close()
                    raise
                except BaseException as exc:  # thrown in by the caller: passed on to func
                    with no_grad():
                        item = gen.throw(exc)
                else:
                    with no_grad():
                        item = gen.send(sent)
        except StopIteration as stop:
            return stop.value

    return generator


def is_grad_enabled() -> bool:
    """False inside `no_grad`, True otherwise."""
    return current_modes().grad_enabled


def enter_scope(module: object) -> tuple[Any, ...]:
    """Record `module` as the creator of every node made until `restore_scope(token)`;
    returns that token. Drawings group nodes by the Module that made them: each node
    keeps the chain of Modules whose forward pass was running (`Value.scope`, outermost
    first). `chainrule.nn.Module.__call__` records every forward pass so; a pair of calls
    rather than a context manager, as it runs once per neuron per sample, where a `with`
    block would cost three times as much. The token holds this thread's modes, so that
    `restore_scope` need not look them up again."""
    try:
        modes: Modes = per_thread.modes
    except AttributeError:
        modes = own_modes()
    saved = modes.scope
    modes.scope = (*saved, module)
    return (modes, saved)


def restore_scope(token: tuple[Any, ...]) -> None:
    """End what `enter_scope` began: nodes are attributed as they were before it."""
    modes, saved = token
    modes.scope = saved


def switch_scope(token: tuple[Any, ...], module: object) -> None:
    """Inside what `enter_scope(m)` began, attribute new nodes to `module` in m's place: a
    Layer moving from one neuron to the next, without looking the thread's modes up again."""
    modes, saved = token
    modes.scope = (*saved, module)
