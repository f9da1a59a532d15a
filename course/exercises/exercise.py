"""The declaration of one exercise, and its typical mistakes planted in the reference."""

import functools
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from helpers.checks.runner import Runner


@dataclass(frozen=True)
class Mistake:
    """A typical bug: the reference solution with ``old`` replaced by ``new`` (it must
    occur exactly ``count`` times in the solution) in ``member``, a method of the
    reference class (None for a function reference).

    If a student's outputs equal what this planted bug produces, ``message`` is the hint.
    """

    message: str
    old: str
    new: str
    member: str = None
    count: int = 1


@dataclass(frozen=True, kw_only=True)
class Exercise:
    id: str
    title: str  # what messages call it, e.g. "LinearLayer.forward"
    points: int
    subject: str  # the name of the student's object in the notebook, e.g. "LinearLayer"
    reference: object  # the reference function or class it is judged against
    runner: Runner
    seed: int  # the visible cases are drawn from cases.rng(seed)
    visible: Callable  # rng -> [Case]
    hidden: Callable  # rng -> [Case], drawn per student
    hints: dict = field(default_factory=dict)  # output name -> hint
    properties: tuple = ()
    mistakes: tuple = ()
    notebook: str = ""  # set from the module that declares it


def _plant(source, mistake, where):
    """``source`` with the mistake's edit made inside its solution (between the markers)."""
    begin = source.index("### BEGIN SOLUTION")
    end = source.index("### END SOLUTION")
    solution = source[begin:end]
    if solution.count(mistake.old) != mistake.count:
        raise ValueError(
            f"mistake {mistake.message!r}: {mistake.old!r} must occur exactly "
            f"{mistake.count} time(s) in the solution of {where}"
        )
    return source[:begin] + solution.replace(mistake.old, mistake.new) + source[end:]


def planted(exercise, mistake):
    """A copy of the exercise's reference object with ``mistake`` planted in it."""
    return _planted(exercise.reference, mistake)


@functools.cache  # once per reference and mistake: the judge asks at every failed case
def _planted(target, mistake):
    fn = getattr(target, mistake.member) if mistake.member else target
    source = _plant(textwrap.dedent(inspect.getsource(fn)), mistake, fn.__qualname__)
    namespace = dict(fn.__globals__)
    exec(compile(source, f"<{fn.__qualname__} with a planted mistake>", "exec"), namespace)
    bad = namespace[fn.__name__]
    if mistake.member is None:
        return bad
    return type(target.__name__, (target,), {mistake.member: bad})
