"""The trusted side of the hidden tests: cases, reference results and verdicts.

The kernel that runs a student's notebook only *runs* the student's code on the inputs
the judge hands out (autograder/harness); the judge computes the expected results with
the reference and compares. In plain ``nbgrader autograde`` the judge lives in the same
kernel (``LocalJudge``); the hardened grading pipeline runs it in a separate trusted
process and the sandboxed kernel talks to it over a socket
(autograder/grading/judge_server.py), so student code can neither see the reference nor
forge a verdict.
"""

import contextlib
import hashlib
from dataclasses import dataclass

from helpers.checks.core import Case, copy_inputs, expected_values_hidden, quiet_numpy
from helpers.checks.diagnose import Outcome, case_failure, run_case

from .exercises import EXERCISES, collaborators, planted
from .exercises.cases import rng


def seed_for(exercise_id, salt):
    """A 63-bit seed from a salt (course secret + student in grading; fixed otherwise)."""
    digest = hashlib.sha256(f"{salt}\0{exercise_id}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def with_derived(exercise, case):
    """The case with the inputs the runner derives from the reference (e.g. hidden states)."""
    with quiet_numpy():
        derived = exercise.runner.derive(exercise.reference, copy_inputs(case.inputs))
    return Case(case.name, dict(case.inputs, **derived), case.hint)


def visible_cases(exercise_id):
    exercise = EXERCISES[exercise_id]
    return [with_derived(exercise, c) for c in exercise.visible(rng(exercise.seed))]


def all_cases(exercise_id, salt="local"):
    """Visible cases followed by hidden ones (drawn for ``salt``), with derived inputs."""
    exercise = EXERCISES[exercise_id]
    hidden = exercise.hidden(rng(seed_for(exercise_id, salt)))
    return visible_cases(exercise_id) + [with_derived(exercise, c) for c in hidden]


def reference_outputs(exercise_id, inputs):
    """What the reference produces for one case: the expected outputs."""
    exercise = EXERCISES[exercise_id]
    with quiet_numpy():
        return exercise.runner.run(exercise.reference, copy_inputs(inputs))


def mistake_outcomes(exercise_id, inputs, expected):
    """[(message, Outcome)] of the exercise's known mistakes that show on this case."""
    exercise = EXERCISES[exercise_id]
    out = []
    for mistake in exercise.mistakes:
        outcome, _ = run_case(exercise.runner, planted(exercise, mistake), inputs)
        if (
            outcome.error is not None
            or outcome.failed is not None
            or (case_failure(exercise, Case("", inputs), outcome, expected) is not None)
        ):
            out.append((mistake.message, outcome))
    return out


@dataclass
class Verdict:
    check_id: str
    passed: bool
    message: str
    n_cases: int

    def as_dict(self):
        return {
            "check": self.check_id,
            "passed": self.passed,
            "message": self.message,
            "cases": self.n_cases,
        }


def judge(exercise_id, cases, results):
    """Compare the student's results (one per case: {"ok": outputs} or {"error": text})."""
    exercise = EXERCISES[exercise_id]
    n = len(cases)
    if not isinstance(results, list) or len(results) != n:
        return Verdict(
            exercise_id, False, f"{exercise.title}: the test did not run to completion", n
        )
    n_visible = len(exercise.visible(rng(exercise.seed)))
    for i, (case, result) in enumerate(zip(cases, results, strict=True)):
        kind = "test" if i < n_visible else "hidden test"
        where = f"{exercise.title}, {kind} '{case.name}'"
        if not isinstance(result, dict) or not {"ok", "error", "failed"} & set(result):
            return Verdict(exercise_id, False, f"{where}: no result", n)
        try:
            with contextlib.nullcontext() if i < n_visible else expected_values_hidden():
                message = _judge_case(exercise, cases[:i], case, Outcome.from_result(result))
        except Exception as e:  # a malformed result must fail the test, not the grader
            message = f"could not check your result ({type(e).__name__}: {e})"
        if message is not None:
            return Verdict(exercise_id, False, f"{where}: {message}", n)
    return Verdict(exercise_id, True, f"{exercise.title}: all {n} tests passed", n)


def _judge_case(exercise, earlier, case, outcome):
    """The failure message of one case, with the hint of the known mistakes still possible
    (those that did not show on the ``earlier`` cases the student passed)."""
    with quiet_numpy():
        uses_expected = exercise.runner.uses_expected
        expected = reference_outputs(exercise.id, case.inputs) if uses_expected else None
        message = case_failure(exercise, case, outcome, expected)
        if message is None or not exercise.mistakes:
            return message
        ruled_out = {
            m
            for c in earlier
            for m, _ in mistake_outcomes(
                exercise.id, c.inputs, reference_outputs(exercise.id, c.inputs)
            )
        }
        mistakes = mistake_outcomes(exercise.id, case.inputs, expected)
        possible = [(m, o) for m, o in mistakes if m not in ruled_out]
        return case_failure(exercise, case, outcome, expected, possible)


def served_collaborators(exercise_id):
    """{name in the notebook: reference function} standing in while ``exercise_id`` is graded."""
    return {EXERCISES[c].subject: EXERCISES[c].reference for c in collaborators(exercise_id)}


class LocalJudge:
    """The judge in the same process as the student's code (plain nbgrader, instructors)."""

    def __init__(self, salt="local"):
        self.salt = salt
        self._open = None

    def begin(self, exercise_id):
        if exercise_id not in EXERCISES:
            raise KeyError(f"unknown exercise {exercise_id!r}")
        cases = all_cases(exercise_id, self.salt)
        self._open = (exercise_id, cases)
        return [c.inputs for c in cases]

    def collaborator(self, name):
        if self._open is None:
            raise RuntimeError("no hidden tests are running")
        return served_collaborators(self._open[0])[name]

    def finish(self, exercise_id, results):
        if self._open is None or self._open[0] != exercise_id:
            return Verdict(exercise_id, False, "the hidden tests were not started", 0)
        _, cases = self._open
        self._open = None
        return judge(exercise_id, cases, results)
