"""Judge one test case and choose the hint that points at the bug.

Used by the visible tests and by the graders' judge alike, so a failure reads the same
in both. The hint is chosen by what failed, most specific first:

1. a *known mistake*: the outputs (or the error) of the reference solution with one
   typical bug planted in it. If yours match them, the hint names that bug;
2. the hint for the *output* that was wrong (e.g. "dW_hh sums da_t h_{t-1}^T ...");
3. the hint of the *test case* (what this case isolates, e.g. "W_hh = 0: no recurrence").
"""

import re
from dataclasses import dataclass

from .core import CheckFailed, copy_inputs, matches, quiet_numpy, value_at


@dataclass
class Outcome:
    """What your code did on one case: ``outputs`` if it returned, ``error`` if it raised,
    ``failed`` if what it returned cannot even be compared (e.g. a string for a number)."""

    outputs: object = None
    error: str = None  # "TypeName: message"
    failed: str = None  # the runner's message
    failed_output: str = None  # ... and the output it is about

    def as_result(self):
        """The wire format: {"ok": outputs}, {"error": text} or {"failed": ..., "output": ...}."""
        if self.error is not None:
            return {"error": self.error}
        if self.failed is not None:
            return {"failed": self.failed, "output": self.failed_output}
        return {"ok": self.outputs}

    @classmethod
    def from_result(cls, result):
        return cls(
            outputs=result.get("ok"),
            error=result.get("error"),
            failed=result.get("failed"),
            failed_output=result.get("output"),
        )


def run_case(runner, subject, inputs):
    """Run ``subject`` on one case's inputs; return (Outcome, the exception it raised)."""
    try:
        with quiet_numpy():
            return Outcome(outputs=runner.run(subject, copy_inputs(inputs))), None
    except CheckFailed as e:
        return Outcome(failed=str(e), failed_output=e.output), None
    except (Exception, SystemExit) as e:
        text = f"{type(e).__name__}: {e}"
        return Outcome(error=text if len(text) <= 500 else text[:500] + " ..."), e


def explains(planted, yours, failure, expected, rtol):
    """True if the planted mistake explains what went wrong with ``yours``: the same error,
    or, where yours went wrong (``failure.path``), the same wrong value."""
    if yours.error is not None or planted.error is not None:
        return yours.error == planted.error
    if planted.failed is not None or failure is None:
        return False
    try:
        mine = value_at(yours.outputs, failure.path)
        theirs = value_at(planted.outputs, failure.path)
        right = value_at(expected, failure.path)
    except (KeyError, IndexError, TypeError):
        return matches(yours.outputs, planted.outputs, rtol)
    return matches(mine, theirs, rtol) and not matches(right, theirs, rtol)


def _same_outputs(yours, planted, rtol):
    none_raised = yours.error is None and planted.error is None and planted.failed is None
    return none_raised and matches(yours.outputs, planted.outputs, rtol)


def known_mistake(yours, failure, expected, mistakes, rtol):
    """The message of the known mistake that explains ``yours``, or ''.

    Mistakes that produce exactly your outcome win (all of them are named when this case
    cannot tell them apart); otherwise the first one that explains the value where yours
    went wrong.
    """
    exact = [message for message, planted in mistakes if _same_outputs(yours, planted, rtol)]
    if exact:
        return "\nOr: ".join(exact)
    for message, planted in mistakes:
        if explains(planted, yours, failure, expected, rtol):
            return message
    return ""


def case_failure(tests, case, outcome, expected, mistakes=()):
    """None if ``outcome`` passes ``case``, else the message: what is wrong, and a hint.

    tests: the exercise (its runner, properties and per-output hints).
    mistakes: [(message, Outcome)] of the known mistakes on this case.
    """
    rtol = tests.runner.rtol
    if outcome.failed is not None:
        hint = output_hint(tests.hints, outcome.failed_output) or case.hint
        return outcome.failed + hint_line(hint)
    if outcome.error is not None:
        hint = known_mistake(outcome, None, expected, mistakes, rtol) or case.hint
        return f"your code raised {outcome.error}" + hint_line(hint)
    try:
        for prop in tests.properties:
            prop.check(outcome.outputs)
        tests.runner.compare(case, outcome.outputs, expected)
    except CheckFailed as failure:
        hint = (
            known_mistake(outcome, failure, expected, mistakes, rtol)
            or output_hint(tests.hints, failure.output)
            or case.hint
        )
        return f"{failure}" + hint_line(hint)
    return None


def output_hint(hints, output):
    """The hint for ``output`` ("layer0.updates[1].dP"), else for the outputs it is part of
    ("layer0.updates", "layer0"), else for its last name ("dP"); '' if none."""
    name = output or ""
    while name:
        if name in hints:
            return hints[name]
        name = re.sub(r"(\.\w+|\[\d+\])$", "", name) if re.search(r"[.\[]", name) else ""
    last = re.findall(r"\w+", output or "")
    return hints.get(last[-1], "") if last else ""


def hint_line(hint):
    return f"\nHint: {hint}" if hint else ""
