"""Per-student result dicts as the grading pipeline writes them (grading/summary.json),
fabricated for tests of the reports: no grading runs.

``attempted`` (False while the answer is the release stub) is derived here from the
scenario, as the pipeline will record it.
"""

from course.exercises import EXERCISES, notebooks


def result(
    student,
    failed=None,
    not_attempted=(),
    missing=(),
    status=None,
    notes=None,
    late=None,
    extra=(),
):
    """failed: {exercise id: message}; not_attempted: exercise ids left as released;
    missing: notebooks not submitted; status: {notebook: status}; notes: {notebook:
    [repairs]}; late: {notebook: penalty}."""
    failed, status, notes, late = failed or {}, status or {}, notes or {}, late or {}
    out = {"student": student, "seconds": 1.0, "notebooks": {}, "extra_files": list(extra)}
    total = 0.0
    for nb in notebooks():
        entry = {"status": status.get(nb, "graded"), "notes": notes.get(nb, []), "verdicts": {}}
        if nb in missing:
            entry["status"] = "not submitted"
        if nb in late:
            entry["late_penalty"] = late[nb]
        for ex in (e for e in EXERCISES.values() if e.notebook == nb):
            attempted = nb not in missing and ex.id not in not_attempted
            passed = attempted and ex.id not in failed and entry["status"] == "graded"
            message = f"{ex.title}: all 12 tests passed"
            if not attempted:
                message = f"{ex.title}, test 'first': your code raised NotImplementedError"
            elif not passed:
                message = failed.get(ex.id, "the hidden tests did not run")
            entry["verdicts"][ex.id] = {
                "passed": passed,
                "message": message,
                "points": float(ex.points) if passed else 0.0,
                "max_points": float(ex.points),
                "attempted": attempted,
            }
            total += ex.points if passed else 0
        out["notebooks"][nb] = entry
    out["total"] = total - sum(late.values())
    return out


SOFTMAX_NAN = (
    "softmax, test 'large logits': probs contains nan at index (0, {i}, 2) (NaN or inf: "
    "an overflow or a division by zero?)\nHint: subtract the largest logit before exp"
)
