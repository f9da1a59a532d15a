"""One student's result: what the summary, the reports and partial runs read.

Kept on disk per student (``grading/results/<student>.json``) so that a run grading some
students merges into the class without touching anyone else's result. The shape:

    {"student", "seconds", "total", "extra_files", ["error"],
     "notebooks": {notebook: {"status", "notes", ["late_penalty"],
                              "verdicts": {exercise: {"passed", "message", "points",
                                                      "max_points", "attempted"}}}}}

``state.json`` remembers the fingerprint of each submission last graded, so a run grades
only what is new or changed.
"""

import glob
import hashlib
import json
import os

from course.exercises import EXERCISES

NOT_RUN = "the hidden tests did not run"


def _results_dir(course):
    return os.path.join(course.work, "results")


def save(course, result):
    folder = _results_dir(course)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, result["student"] + ".json")
    with open(path + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    os.replace(path + ".tmp", path)


def load_all(course):
    """Every student's latest result, in student order."""
    out = []
    for path in sorted(glob.glob(os.path.join(_results_dir(course), "*.json"))):
        with open(path) as f:
            out.append(json.load(f))
    return out


# ------------------------------------------------------------------ new or changed


def fingerprint(folder):
    """Hash of every file (name and content) below ``folder``."""
    h = hashlib.sha256()
    for dirpath, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, folder).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def _state_path(course):
    return os.path.join(course.work, "state.json")


def load_state(course):
    try:
        with open(_state_path(course)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def save_state(course, state):
    os.makedirs(course.work, exist_ok=True)
    with open(_state_path(course) + ".tmp", "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(_state_path(course) + ".tmp", _state_path(course))


def needs_grading(course, state, student):
    """New, changed since last graded, or without a result on disk."""
    graded = state.get(student, {}).get("fingerprint")
    has_result = os.path.exists(os.path.join(_results_dir(course), student + ".json"))
    return not has_result or graded != fingerprint(course.submitted(student))


# ------------------------------------------------------------------ building a result


def answer_cells(release):
    """{exercise id: grade ids of its answer cells}: the answer cells since the previous
    test cell (an exercise with none shares the previous exercise's, e.g. the ReLU
    backward pass is written in the same cell as the tanh one)."""
    out, pending, last = {}, [], []
    for cell in release.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            pending.append(meta["grade_id"])
        elif meta.get("grade") and meta.get("grade_id", "").startswith("test_"):
            last = pending or last
            out[meta["grade_id"][5:]] = last
            pending = []
    return out


def answer_errors(run):
    """{grade id: "IndentationError: unexpected indent"} of the answer cells whose own run
    raised: the error a student must fix, of which a failing test only sees the
    consequence (a NameError for a function that was never defined)."""
    out = {}
    for cell in ((run or {}).get("notebook") or {}).get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("solution"):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                out[meta.get("grade_id")] = f"{output.get('ename')}: {output.get('evalue')}"
                break
    return out


def _verdict(exercise_id, run, grades, attempted, cause=""):
    v = (run or {}).get("verdicts", {}).get(exercise_id)
    score, max_score = grades.get(f"test_{exercise_id}", (0.0, EXERCISES[exercise_id].points))
    passed = bool(v and v.get("passed"))
    message = v["message"] if v else NOT_RUN
    if cause and not passed:
        message = f"{cause}\n(the test then: {message})"
    return {
        "passed": passed,
        "message": message,
        "points": float(score or 0.0),
        "max_points": float(max_score),
        "attempted": attempted,
    }


def _status(name, prepared, run):
    if name in prepared.invalid:
        return f"not graded: invalid notebook ({prepared.invalid[name]})"
    if name in prepared.missing:
        return "not submitted"
    return run["status"] if run else "not graded: the grading of this notebook failed"


def _stop_notes(run):
    return [
        f"cell '{key}' {why}"
        for key, why in (run or {}).get("stopped", {}).items()
        if not why.startswith("it did not run")
    ]


def notebook_entry(name, prepared, run, score, releases):
    """The result of one notebook."""
    metadata = prepared.metadata.get(name, {})
    unanswered = set(metadata.get("unanswered", []))
    cells = answer_cells(releases[name])
    entry = {
        "status": _status(name, prepared, run),
        "notes": list(metadata.get("notes", [])) + _stop_notes(run),
        "verdicts": {},
    }
    submitted = name in prepared.valid
    raised = answer_errors(run)
    for exercise_id, exercise in EXERCISES.items():
        if exercise.notebook == name:
            own = cells.get(exercise_id, [])
            attempted = submitted and not set(own) <= unanswered
            cause = next(
                (f"your answer cell '{g}' raised {raised[g]}" for g in own if g in raised), ""
            )
            entry["verdicts"][exercise_id] = _verdict(
                exercise_id, run, score.get("grades", {}), attempted, cause
            )
    if score.get("late_penalty"):
        entry["late_penalty"] = float(score["late_penalty"])
    return entry


def build(prepared, worker_result, scores, releases, seconds):
    """The result dict of one student (see the module docstring)."""
    runs = (worker_result or {}).get("notebooks", {})
    notebooks = {
        name: notebook_entry(name, prepared, runs.get(name), scores.get(name, {}), releases)
        for name in releases
    }
    points = sum(v["points"] for e in notebooks.values() for v in e["verdicts"].values())
    penalty = sum(e.get("late_penalty", 0.0) for e in notebooks.values())
    return {
        "student": prepared.student,
        "seconds": round(seconds, 2),
        "notebooks": notebooks,
        "extra_files": prepared.extra,
        "total": max(0.0, points - penalty),
    }


def failed(student, error, extra=()):
    """The result of a student whose grading itself failed (the rest go on)."""
    return {
        "student": student,
        "seconds": 0,
        "notebooks": {},
        "error": error,
        "extra_files": list(extra),
        "total": 0.0,
    }
