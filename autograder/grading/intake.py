"""Bring submissions into <course>/submitted, and say what each one holds.

Two input layouts are accepted by ``collect``:
  - nbgrader's: ``<input>/<student>/<assignment>/*.ipynb`` (e.g. the course's own
    ``submitted/`` folder, or a copy of it);
  - LMS downloads: ``<input>/*.zip``, one archive per student named ``<student>.zip``
    (nbgrader's ``zip_collect`` extracts and collects them).

``submitted/<student>/<assignment>`` keeps exactly what the student submitted: repairs
happen in nbgrader's sanitize pass (preprocessors.NormalizeSubmission), never on these
files. Collecting a new submission replaces that student's folder only; earlier LMS
downloads are kept in ``downloaded/<assignment>/previous/``.

``prepare`` looks at one student's folder: the notebooks to grade, the ones that cannot
be read (and why), the ones missing, and the files that are not part of the assignment.
"""

import os
import re
import shutil
import time
import zipfile

from .normalize import InvalidNotebook, read_submission

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")
COLLECT_REGEXP = r".*/extracted/(?P<student_id>[^/]+)/(?:[^/]+/)*(?P<file_id>[^/]+\.ipynb)$"
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000


def check_zip(path):
    """None if ``path`` is a zip nbgrader can safely extract, else the reason it is not.

    nbgrader's zip_collect stops for every student on one unreadable archive, so each
    archive is checked first: readable, no absolute or ../ paths, not a zip bomb.
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return f"the archive has {len(infos)} entries (at most {MAX_ZIP_ENTRIES})"
            if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
                return "the archive unpacks to more than 200 MB"
            for i in infos:
                parts = i.filename.replace("\\", "/").split("/")
                if i.filename.startswith("/") or ".." in parts:
                    return f"the archive contains an unsafe path: {i.filename}"
            bad = z.testzip()
            if bad is not None:
                return f"the archive is damaged (at {bad})"
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        return f"not a readable zip archive ({e})"
    return None


def _collect_zips(course, source, zips, problems):
    """LMS downloads: check each archive, then nbgrader's zip_collect."""
    archive = course.path("downloaded", course.assignment, "archive")
    if os.path.isdir(archive):  # zip_collect takes every archive there: keep old ones aside
        previous = course.path("downloaded", course.assignment, "previous")
        os.makedirs(previous, exist_ok=True)
        os.replace(archive, os.path.join(previous, time.strftime("%Y%m%d-%H%M%S")))
    os.makedirs(archive)
    good = []
    for z in zips:
        problem = check_zip(os.path.join(source, z))
        if problem:
            problems[z[:-4]] = problem
        else:
            shutil.copy(os.path.join(source, z), archive)
            good.append(z)
    result = course.nbgrader(
        "zip_collect",
        course.assignment,
        "--force",
        f"--FileNameCollectorPlugin.named_regexp={COLLECT_REGEXP}",
    )
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader zip_collect failed:\n{result.stderr[-3000:]}")
    collected = set(os.listdir(course.submitted())) if os.path.isdir(course.submitted()) else set()
    for z in good:
        if z[:-4] not in collected:
            problems[z[:-4]] = "the archive holds no notebook"


def _copy_folders(course, source):
    """nbgrader's layout elsewhere: each student's folder replaces their own only."""
    for student in sorted(os.listdir(source)):
        src = os.path.join(source, student)
        if not os.path.isdir(src):
            continue
        inner = os.path.join(src, course.assignment)
        dest = course.submitted(student)
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(inner if os.path.isdir(inner) else src, dest)


def collect(course, source):
    """Bring submissions from ``source`` into the course; return (students, problems):
    every student with a folder in submitted/, and why some could not be taken."""
    source = os.path.abspath(source)
    problems = {}
    zips = sorted(f for f in os.listdir(source) if f.lower().endswith(".zip"))
    if zips:
        _collect_zips(course, source, zips, problems)
    elif os.path.realpath(source) != os.path.realpath(course.submitted()):
        _copy_folders(course, source)
    students = []
    if os.path.isdir(course.submitted()):
        for student in sorted(os.listdir(course.submitted())):
            if not os.path.isdir(course.path("submitted", student)):
                continue
            if not STUDENT_ID.match(student):
                problems[student] = "not a valid student id (letters, digits, _.@+- only)"
                continue
            students.append(student)
    return students, problems


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
                if rel != "timestamp.txt":
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
