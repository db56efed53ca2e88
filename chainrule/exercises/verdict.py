"""A checker's answer: `Verdict`, and `run_cases`, which runs a learner's code case by case
and turns whatever happens (a wrong number, an exception, a recursion too deep) into one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Case", "Mismatch", "Verdict", "run_cases"]

_DEEP_HINT = (
    "Python stops a function that calls itself more than {limit} times deep. Walk the graph "
    "with a loop instead: keep a list of nodes still to visit (a stack) and a set of those seen."
)


class Mismatch(Exception):  # noqa: N818 - a finding, not a failure of the checker
    """Raised by a case when the learner's result is wrong: what was expected, what came, a hint."""

    def __init__(self, expected: str, got: str, hint: str) -> None:
        super().__init__(expected, got, hint)
        self.expected, self.got, self.hint = expected, got, hint


@dataclass(frozen=True)
class Case:
    """One thing to try: `run()` returns when the learner's code gets it right, raises
    `Mismatch` when it gets it wrong (any other exception is the learner's code failing)."""

    description: str
    run: Callable[[], None]


@dataclass(frozen=True)
class Verdict:
    """What a checker found: `passed`, and a report for a person (its `str`, shown by a notebook).

    A Verdict is truthy when every case passed. On a failure, `case` names the case,
    `expected` and `got` say what differed, and `hint` suggests where to look.
    """

    exercise: str
    passed: bool
    cases: int
    case: str = ""
    expected: str = ""
    got: str = ""
    hint: str = ""

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.passed:
            return f"PASSED {self.exercise}: all {self.cases} cases right."
        lines = [f"NOT YET {self.exercise}: the case {self.case!r} went wrong."]
        if self.expected:
            lines.append(f"  expected: {self.expected}")
        if self.got:
            lines.append(f"  got:      {self.got}")
        if self.hint:
            lines.append(f"  hint:     {self.hint}")
        return "\n".join(lines)

    def __repr__(self) -> str:  # a notebook shows a returned Verdict by its repr
        return str(self)


def run_cases(exercise: str, cases: Sequence[Case], recursion_limit: int) -> Verdict:
    """Run `cases` in order and stop at the first that goes wrong; never raises for the learner's code."""
    for case in cases:
        try:
            case.run()
        except Mismatch as m:
            return Verdict(exercise, False, len(cases), case.description, m.expected, m.got, m.hint)
        except NotImplementedError as exc:
            got = f"NotImplementedError{': ' + str(exc) if str(exc) else ''}"
            hint = "this part is still a blank: replace the `raise NotImplementedError` with your code."
            return Verdict(exercise, False, len(cases), case.description, "", got, hint)
        except RecursionError:
            hint = _DEEP_HINT.format(limit=recursion_limit)
            return Verdict(exercise, False, len(cases), case.description, "", "RecursionError", hint)
        except Exception as exc:
            got = f"your code raised {type(exc).__name__}: {exc}"
            hint = "read the error above as Python would print it: it names what went wrong."
            return Verdict(exercise, False, len(cases), case.description, "", got, hint)
    return Verdict(exercise, True, len(cases))
