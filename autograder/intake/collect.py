"""collect(): every file below a folder, accounted for."""

import filecmp
import os
import tempfile
from collections import defaultdict

from .classify import Candidate, Classifier, Stamp
from .result import IntakeResult, StudentSubmission
from .scan import scan
from .skips import IDENTICAL_COPY, OLDER_DUPLICATE, SUBMISSION_TIME, UNREADABLE, Skip


def collect(source, notebooks, roster=None, *, unpack_to=None, lms_timezone=None):
    """Map every file below ``source`` to a student's notebook, or skip it with a reason.

    source: a folder holding nbgrader's layout (<student>/<assignment>/*.ipynb or
        <student>/*.ipynb), per-student folders or archives (<student>.zip, .tar.gz),
        LMS bulk downloads (Canvas, Moodle, Blackboard; the zip or its unpacked folder),
        in any mix.
    notebooks: the assignment's notebook names (with or without ".ipynb").
    roster: an ``autograder.roster.Roster`` to map LMS numbers and names to student ids;
        files of students not on it are skipped. None: the LMS's identifier (or the
        folder name) is the student id.
    unpack_to: where archives are unpacked (the returned paths point there); default: a
        new temporary folder, which the caller removes when done.
    lms_timezone: the course's zone of the times in Blackboard's file names (its
        server's), used where no receipt states one (receipts.py); None: UTC, with a
        warning in the result.

    When a student has several copies of a notebook, the newest wins: the latest LMS
    time, then the highest duplicate number ("x (2)" over "x (1)" over "x"), then the
    latest modification time; the others are skipped as older duplicates.
    """
    if not os.path.isdir(source):
        raise NotADirectoryError(f"{source} is not a folder")
    unpack_to = unpack_to or tempfile.mkdtemp(prefix="rnn-intake-")
    names = [n[:-6] if n.endswith(".ipynb") else n for n in notebooks]
    found, problems = scan(source, unpack_to)
    classify = Classifier(names, roster, lms_timezone, receipts=found)
    result = IntakeResult(os.path.abspath(source))
    result.skipped += [
        Skip(p.logical, UNREADABLE, p.reason, classify.student_of(p.logical)) for p in problems
    ]
    candidates, stamps = [], []
    sink = {Candidate: candidates, Stamp: stamps, Skip: result.skipped}
    for f in found:
        outcome = classify(f)
        sink[type(outcome)].append(outcome)
    _choose_newest(candidates, result)
    _add_timestamps(candidates, stamps, result)
    if classify.utc_fallback:
        result.warnings.append(
            "Blackboard's times of " + ", ".join(sorted(classify.utc_fallback)) + " were read "
            "as UTC: no receipt states their zone and the course sets none; if the server is "
            "elsewhere their lateness is wrong. Set the server's zone "
            "(c.LmsCollector.lms_timezone in nbgrader_config.py, or LMS_TIMEZONE=Europe/Berlin "
            "with make) and collect again: the corrected times replace these."
        )
    return result


def _newest_first(candidate):
    ts = candidate.timestamp.timestamp() if candidate.timestamp else float("-inf")
    return (ts, candidate.rank, candidate.file.mtime, candidate.file.logical)


def _choose_newest(candidates, result):
    groups = defaultdict(list)
    for c in candidates:
        groups[(c.student, c.notebook)].append(c)
    for (student, notebook), group in sorted(groups.items()):
        group.sort(key=_newest_first, reverse=True)
        kept, older = group[0], group[1:]
        sub = result.students.setdefault(student, StudentSubmission())
        sub.files[notebook] = kept.file.path
        sub.sources[notebook] = kept.file.logical
        if kept.note and kept.note not in sub.notes:
            sub.notes.append(kept.note)
        for c in older:
            if filecmp.cmp(c.file.path, kept.file.path, shallow=False):
                why = f"an identical copy of {notebook} (graded: {kept.file.logical})"
                result.skipped.append(Skip(c.file.logical, IDENTICAL_COPY, why, student))
                continue
            why = f"an older copy of {notebook} (graded: {kept.file.logical})"
            result.skipped.append(Skip(c.file.logical, OLDER_DUPLICATE, why, student))


def _add_timestamps(candidates, stamps, result):
    """A student's submission time: the latest of the LMS's times of the graded files and
    of nbgrader's timestamp.txt files."""
    kept = {(s, p) for s, sub in result.students.items() for p in sub.files.values()}
    times = defaultdict(list)
    for c in candidates:
        if c.timestamp and (c.student, c.file.path) in kept:
            times[c.student].append(c.timestamp)
    for s in stamps:
        times[s.student].append(s.timestamp)
        why = "nbgrader's submission time (used for late penalties)"
        result.skipped.append(Skip(s.file.logical, SUBMISSION_TIME, why, s.student))
    for student, values in times.items():
        if student in result.students:
            result.students[student].timestamp = max(values)
