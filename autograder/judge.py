"""The trusted side of the hidden tests: cases, reference results and verdicts.

The kernel that runs a student's notebook only *runs* the student's code on the
inputs the judge hands out (autograder/harness); the judge computes the expected
results with the reference and compares. In plain ``nbgrader autograde`` the judge
lives in the same kernel (``LocalJudge``); the hardened grading pipeline runs it in
a separate trusted process and the sandboxed kernel talks to it over a socket
(autograder/grading/judge_server.py), so student code can neither see the
reference nor forge a verdict.
"""

import hashlib
from dataclasses import dataclass

import numpy as np

import autograder.reference as ref
from helpers.checks import REGISTRY, CheckFailed
from helpers.checks.core import Case, copy_inputs, quiet_numpy

from .hidden_cases import GENERATORS

# The reference objects the checks' runners call in place of the student's.
REFERENCE = {
    "softmax": ref.softmax,
    "cross_entropy_loss": ref.cross_entropy_loss,
    "softmax_cross_entropy_grad": ref.softmax_cross_entropy_grad,
    "Layer": ref.Layer,
    "LinearLayer": ref.LinearLayer,
    "BasicRNNCell": ref.BasicRNNCell,
    "spectral_radius": ref.spectral_radius,
    "clip_global_norm": ref.clip_global_norm,
    "run_exploding_grads_test": ref.run_exploding_grads_test,
    "run_training": ref.run_training,
    "run_memory_test": ref.run_memory_test,
    "run_forward_pass": ref.run_forward_pass,
}


def seed_for(check_id, salt):
    """A 63-bit seed from a salt (course secret + student in grading; fixed otherwise)."""
    digest = hashlib.sha256(f"{salt}\0{check_id}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def all_cases(check_id, salt="local"):
    """Visible cases followed by hidden ones, with derived inputs filled in."""
    check = REGISTRY[check_id]
    cases = list(check.cases()) + list(GENERATORS[check_id](np.random.default_rng(
        seed_for(check_id, salt))))
    out = []
    for case in cases:
        with quiet_numpy():
            derived = check.derive(REFERENCE, copy_inputs(case.inputs))
        out.append(Case(case.name, dict(case.inputs, **derived), case.hint, case.meta))
    return out


def reference_outputs(check_id, inputs):
    """What the reference produces for one case: the expected outputs."""
    with quiet_numpy():
        return REGISTRY[check_id].run(REFERENCE, copy_inputs(inputs))


@dataclass
class Verdict:
    check_id: str
    passed: bool
    message: str
    n_cases: int

    def as_dict(self):
        return {"check": self.check_id, "passed": self.passed, "message": self.message,
                "cases": self.n_cases}


def judge(check_id, cases, outputs):
    """Compare the student's outputs (one per case: {"ok": outputs} or {"error": text})."""
    check = REGISTRY[check_id]
    if not isinstance(outputs, list) or len(outputs) != len(cases):
        return Verdict(check_id, False, f"{check.title}: the test did not run to completion",
                       len(cases))
    n_visible = len(check.cases())
    for i, (case, result) in enumerate(zip(cases, outputs, strict=True)):
        kind = "test" if i < n_visible else "hidden test"
        where = f"{check.title}, {kind} '{case.name}'"
        if not isinstance(result, dict) or ("ok" not in result and "error" not in result):
            return Verdict(check_id, False, f"{where}: no result", len(cases))
        if "error" in result:
            return Verdict(check_id, False, f"{where}: your code raised {result['error']}",
                           len(cases))
        try:
            with quiet_numpy():
                expected = reference_outputs(check_id, case.inputs) if check.uses_expected \
                    else None
                check.compare(case, result["ok"], expected)
        except CheckFailed as e:
            hint = f"\nHint: {case.hint}" if case.hint else ""
            return Verdict(check_id, False, f"{where}: {e}{hint}", len(cases))
        except Exception as e:  # a malformed result must fail the test, not the grader
            return Verdict(check_id, False, f"{where}: could not check your result "
                           f"({type(e).__name__}: {e})", len(cases))
    return Verdict(check_id, True, f"{check.title}: all {len(cases)} tests passed", len(cases))


class LocalJudge:
    """The judge in the same process as the student's code (plain nbgrader, instructors)."""

    def __init__(self, salt="local"):
        self.salt = salt
        self._open = None

    def begin(self, check_id):
        if check_id not in REGISTRY or check_id not in GENERATORS:
            raise KeyError(f"unknown check {check_id!r}")
        cases = all_cases(check_id, self.salt)
        self._open = (check_id, cases)
        return [c.inputs for c in cases]

    def collaborator(self, name):
        return REFERENCE[name]

    def finish(self, check_id, outputs):
        if self._open is None or self._open[0] != check_id:
            return Verdict(check_id, False, "the hidden tests were not started", 0)
        _, cases = self._open
        self._open = None
        return judge(check_id, cases, outputs)
