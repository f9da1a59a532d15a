"""Bring submissions into <course>/submitted, and say what each one holds.

``collect`` takes any folder the instructor has (LMS bulk downloads of Canvas, Moodle
or Blackboard, per-student archives or folders, nbgrader's layout, in any mix: see
autograder/intake/) and writes the accepted notebooks into
``submitted/<student>/<assignment>/`` with their submission time (timestamp.txt, for
nbgrader's late penalties). Students are identified through the roster, if one was
imported. Every other file is listed with its reason. Nothing in submitted/ is deleted,
a notebook identical to the one there is left alone (so that student is not graded
again), and an older download never replaces a newer submission.

``submitted/<student>/<assignment>`` keeps exactly what the student submitted: repairs
happen in nbgrader's sanitize pass (preprocessors.NormalizeSubmission), never on these
files.

``prepare`` looks at one student's folder: the notebooks to grade, the ones that cannot
be read (and why), the ones missing, and the files that are not part of the assignment.
"""

import json
import os
import shutil
import tempfile

from ..intake import IntakeResult, Skip, write_submitted
from ..intake import collect as take_in
from ..intake.skips import OLDER_DUPLICATE
from ..roster.gradebook import class_list
from ..roster.model import STUDENT_ID
from .normalize import InvalidNotebook, read_submission

# What nbgrader itself puts beside the notebooks of a submission (not the student's).
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")


def students_of(course):
    """(students with a folder in submitted/, {folder: why it is not a student})."""
    students, problems = [], {}
    folder = course.submitted()
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not os.path.isdir(os.path.join(folder, name)):
            continue
        if STUDENT_ID.fullmatch(name):
            students.append(name)
        else:
            problems[name] = "not a valid student id (letters, digits, _.@+- only)"
    return students, problems


def collect(course, source, only=(), log=print, lms_timezone=None):
    """Bring the submissions in ``source`` into the course.

    Returns (record, names, students, problems): the class's record of what was taken in
    (an IntakeResult: each student's files from their latest download and the files
    skipped with reasons, kept in grading/intake.json; None before any download),
    {student: name} from the roster, every student with a folder in submitted/, and
    {student: why nothing of theirs is graded}. ``only``: take in only these students'
    files (a partial run touches nobody else). ``lms_timezone``: the zone of Blackboard's
    times where no receipt states one (default: the course's c.LmsCollector.lms_timezone).
    """
    roster = class_list(course.db_url)
    names = roster.names() if roster else {}
    record = load_record(course)
    problems = {}
    if os.path.realpath(source) != os.path.realpath(course.submitted()):
        zone = lms_timezone or course.config().LmsCollector.get("lms_timezone") or None
        intake, record = _take_in(course, source, roster, only, zone)
        log(intake.report())
        for student, how in sorted(intake.retimed.items()):
            log(f"  {student}: {how}")
        problems = _nothing_graded(intake, only)
    refused = _refused_at_collect(course, log)
    problems = refused | problems
    students, not_students = students_of(course)
    problems = {s: why for s, why in problems.items() if s not in students} | not_students
    return record, names, students, problems


def refused_path(course):
    """nbgrader collect's list of the inbound entries it refused (written by the hub's
    collect, deploy/nbgrader_collect.py: links, other accounts' files, forged names)."""
    return os.path.join(course.work, "refused_submissions.json")


def _refused_at_collect(course, log):
    """{account that made a refused entry: why}; every refusal is logged."""
    try:
        with open(refused_path(course), encoding="utf-8") as f:
            entries = json.load(f)
    except (OSError, ValueError):
        return {}
    log(f"nbgrader collect refused {len(entries)} submission(s) ({refused_path(course)}):")
    out = {}
    for e in entries:
        why = f"inbound/{e['entry']} (made by {e['owner']}) refused by collect: {e['reason']}"
        log(f"  {why}")
        out[e["owner"]] = f"{out[e['owner']]}; {why}" if e["owner"] in out else why
    return out


def _take_in(course, source, roster, only, zone):
    unpacked = tempfile.mkdtemp(prefix="rnn-intake-")
    try:
        intake = take_in(source, course.notebooks(), roster, unpack_to=unpacked, lms_timezone=zone)
        written = write_submitted(
            intake, course.submitted(), course.assignment, students=only or None
        )
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
    return intake, record_intake(course, intake, written, only)


def record_intake(course, intake, written, only=()):
    """After ``write_submitted``: what it kept out listed as skipped, corrected times in
    the students' notes (``intake.retimed``), and the class's record in
    grading/intake.json updated; returns the record. Every route that writes into
    submitted/ (``make collect``, ``make grade``) calls this, so the record is whole."""
    _list_kept_newer(intake, written)
    intake.retimed = dict(written.retimed)
    for student, how in written.retimed.items():  # the new time is graded again
        intake.students[student].notes.append(how)
    record = intake.merged_into(load_record(course) or IntakeResult(""), only)
    save_record(course, record)
    return record


def _nothing_graded(intake, only):
    """{student: the first reason} for students this intake skipped files of."""
    problems = {}
    for skip in intake.skipped:
        if skip.student and (not only or skip.student in only):
            problems.setdefault(skip.student, f"{skip.file}: {skip.reason}")
    return problems


def record_path(course):
    return os.path.join(course.work, "intake.json")


def load_record(course):
    try:
        with open(record_path(course), encoding="utf-8") as f:
            return IntakeResult.from_dict(json.load(f))
    except FileNotFoundError:
        return None


def save_record(course, record):
    os.makedirs(course.work, exist_ok=True)
    tmp = record_path(course) + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record.as_dict(), f, indent=1)
    os.replace(tmp, record_path(course))


def _list_kept_newer(intake, written):
    """Files of an older download than the submission already collected: not graded."""
    for student, why in written.kept_newer.items():
        for path in intake.students.pop(student).sources.values():
            intake.skipped.append(Skip(path, OLDER_DUPLICATE, why, student))


class Prepared:
    """What one student's submission holds."""

    def __init__(self, student):
        self.student = student
        self.valid = []  # notebooks to grade
        self.invalid = {}  # notebook -> why it cannot be read
        self.missing = []  # notebooks not submitted
        self.extra = []  # files ignored
        self.notes = {}  # notebook -> repairs (filled by the sanitize pass)
        self.metadata = {}  # notebook -> what the sanitize pass recorded


def prepare(course, student):
    """Inspect ``submitted/<student>/<assignment>`` (reads only)."""
    folder = course.submitted(student)
    prep = Prepared(student)
    expected = course.notebooks()
    for dirpath, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            rel = os.path.relpath(os.path.join(dirpath, name), folder)
            if rel != name or not (name.endswith(".ipynb") and name[:-6] in expected):
                if rel not in NBGRADER_FILES:
                    prep.extra.append(rel)
    for nb in expected:
        path = os.path.join(folder, nb + ".ipynb")
        if not os.path.exists(path):
            prep.missing.append(nb)
            continue
        try:
            read_submission(path)
            prep.valid.append(nb)
        except InvalidNotebook as e:
            prep.invalid[nb] = str(e)
    return prep
