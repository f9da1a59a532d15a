"""What the class summary says, computed from the per-student result dicts.

A result dict (what the pipeline writes to grading/summary.json "results"):
    {"student", "seconds", "total", "extra_files", "error"?,
     "notebooks": {notebook: {"status", "notes", "late_penalty"?,
                              "verdicts": {exercise id: {"passed", "message", "points",
                                                         "max_points", "attempted"?}}}}}
"attempted" is False when the student's answer is still the release stub; a notebook
that was not submitted counts as not attempted too, one that could not be read as
failed. Exercises come in course order (the registry, course/exercises).
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from course.exercises import EXERCISES

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
NOT_SUBMITTED = "not submitted"
GRADED = "graded"


def outcome(entry, verdict):
    """passed / failed / not attempted, for one exercise of one student. A notebook that
    was submitted but could not be graded (unreadable, corrupt, its grading failed) is
    failed with that reason, never "not attempted": the student did hand something in."""
    status = entry.get("status", GRADED)
    if status == NOT_SUBMITTED:
        return NOT_ATTEMPTED
    if status.startswith("not graded"):
        return FAILED
    if verdict.get("attempted") is False:
        return NOT_ATTEMPTED
    return PASSED if verdict.get("passed") else FAILED


def failure_message(notebook, entry, verdict):
    """Why an exercise failed: the notebook's status if it was not graded, else the
    judge's message."""
    status = entry.get("status", GRADED)
    return f"{notebook}: {status}" if status != GRADED else verdict.get("message", "")


_QUOTED_OR_NUMBER = re.compile(r"'[^']*'|[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def failure_key(message):
    """The message with its numbers masked, so the same mistake made by several students
    (with different values) counts as one; quoted test names are kept."""
    return _QUOTED_OR_NUMBER.sub(lambda m: m[0] if m[0].startswith("'") else "#", message)


@dataclass
class Failure:
    """One kind of failure of one exercise."""

    message: str  # the message itself if every student got the same, else masked
    students: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.students)


@dataclass
class ExerciseStats:
    id: str
    title: str
    notebook: str
    points: float
    counts: Counter = field(default_factory=Counter)  # outcome -> students
    failures: list = field(default_factory=list)  # [Failure], most common first

    @property
    def graded(self):
        return sum(self.counts.values())


def _verdicts(result):
    """(exercise id, notebook entry, verdict) of one student, in course order."""
    for ex in EXERCISES.values():
        entry = result.get("notebooks", {}).get(ex.notebook)
        if entry is not None and ex.id in entry.get("verdicts", {}):
            yield ex.id, entry, entry["verdicts"][ex.id]


def exercise_stats(results):
    """[ExerciseStats] in course order, for the exercises any result has a verdict on."""
    stats = {}
    groups = defaultdict(lambda: defaultdict(list))  # id -> key -> [(student, message)]
    for r in results:
        for ex_id, entry, verdict in _verdicts(r):
            if ex_id not in stats:
                ex = EXERCISES[ex_id]
                points = verdict.get("max_points", ex.points)
                stats[ex_id] = ExerciseStats(ex.id, ex.title, ex.notebook, points)
            kind = outcome(entry, verdict)
            stats[ex_id].counts[kind] += 1
            if kind == FAILED:
                message = failure_message(EXERCISES[ex_id].notebook, entry, verdict)
                groups[ex_id][failure_key(message)].append((r["student"], message))
    for ex_id, by_key in groups.items():
        failures = []
        for key, hits in by_key.items():
            messages = {m for _, m in hits}
            shown = messages.pop() if len(messages) == 1 else key
            failures.append(Failure(shown, sorted(s for s, _ in hits)))
        stats[ex_id].failures = sorted(failures, key=lambda f: (-f.count, f.message))
    return [stats[i] for i in EXERCISES if i in stats]


def max_points(results):
    """The course's maximum: the verdicts' max_points, else the registry's points."""
    total = 0.0
    for ex in EXERCISES.values():
        found = [v.get("max_points") for r in results for i, _, v in _verdicts(r) if i == ex.id]
        total += next((p for p in found if p is not None), ex.points)
    return total


@dataclass
class StudentReport:
    """What the summary says about one student."""

    student: str
    name: str
    total: float
    per_notebook: dict  # notebook -> (points, max)
    failed: list  # [(exercise title, message)]
    not_attempted: list  # [exercise title]
    notes: list  # notebook statuses, repairs, late penalties, ignored files, errors
    failed_count: int = 0  # exercises failed (those of a notebook not graded share a line)


def _notebook_notes(nb, entry):
    notes = []
    if entry.get("status", GRADED) not in (GRADED, NOT_SUBMITTED):
        notes.append(f"{nb}: {entry['status']}")
    notes += [f"{nb}: {n}" for n in entry.get("notes", [])]
    if entry.get("late_penalty"):
        notes.append(f"{nb}: late penalty -{entry['late_penalty']:g}")
    return notes


def student_report(result, names=None):
    failed, not_attempted, notes, per_notebook = [], [], [], {}
    ungraded = defaultdict(list)  # notebook not graded -> its exercises (one line for all)
    if result.get("error"):
        notes.append(f"grading failed: {result['error']}")
    for ex_id, entry, verdict in _verdicts(result):
        kind = outcome(entry, verdict)
        title = EXERCISES[ex_id].title
        if kind == FAILED and entry.get("status", GRADED).startswith("not graded"):
            ungraded[EXERCISES[ex_id].notebook].append(title)
        elif kind == FAILED:
            failed.append((title, failure_message(EXERCISES[ex_id].notebook, entry, verdict)))
        elif kind == NOT_ATTEMPTED:
            not_attempted.append(title)
    failed_count = len(failed) + sum(len(t) for t in ungraded.values())
    failed += [(", ".join(titles), "the notebook was not graded") for titles in ungraded.values()]
    for nb, entry in result.get("notebooks", {}).items():
        verdicts = entry.get("verdicts", {}).values()
        per_notebook[nb] = (
            sum(v.get("points", 0) or 0 for v in verdicts),
            sum(v.get("max_points", 0) or 0 for v in verdicts),
        )
        notes += _notebook_notes(nb, entry)
    missing = [
        nb for nb, e in result.get("notebooks", {}).items() if e.get("status") == NOT_SUBMITTED
    ]
    if missing:
        notes.append("not submitted: " + ", ".join(missing))
    if result.get("extra_files"):
        notes.append("files ignored: " + ", ".join(result["extra_files"]))
    return StudentReport(
        result["student"],
        (names or {}).get(result["student"], ""),
        result.get("total", 0) or 0,
        per_notebook,
        failed,
        not_attempted,
        notes,
        failed_count,
    )


def histogram(totals, top, buckets=10):
    """[(low, high, count)] over integer score ranges covering 0..top."""
    width = max(1, -(-(int(top) + 1) // buckets))
    edges = range(0, int(top) + 1, width)
    return [
        (lo, min(lo + width - 1, int(top)), sum(lo <= int(t) <= lo + width - 1 for t in totals))
        for lo in edges
    ]
