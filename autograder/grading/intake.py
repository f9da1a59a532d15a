"""Bring submissions into <course>/submitted and normalize them.

Two input layouts are accepted:
  - nbgrader's: ``<input>/<student>/<assignment>/*.ipynb`` (e.g. the course's own
    ``submitted/`` folder, or a copy of it);
  - LMS downloads: ``<input>/*.zip``, one archive per student named ``<student>.zip``
    (nbgrader's ``zip_collect`` extracts and collects them).

The files a student submitted are archived, unchanged, in
``<course>/grading/originals/<student>``; what nbgrader grades is the normalized copy
written to ``<course>/submitted/<student>/<assignment>``. Re-running the pipeline
starts again from the originals, so it is idempotent.
"""

import hashlib
import json
import os
import re
import shutil
import zipfile

from .normalize import InvalidNotebook, normalize_file

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


def fingerprint(directory):
    """Hash of every file (name and content) below ``directory``."""
    h = hashlib.sha256()
    for dirpath, dirs, files in sorted(os.walk(directory)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, directory).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def collect(course, source):
    """Copy submissions from ``source`` into the course; return (students, problems)."""
    source = os.path.abspath(source)
    problems = {}
    zips = sorted(f for f in os.listdir(source) if f.lower().endswith(".zip"))
    if zips:
        archive = course.path("downloaded", course.assignment, "archive")
        shutil.rmtree(course.path("downloaded", course.assignment), ignore_errors=True)
        os.makedirs(archive)
        for z in list(zips):
            problem = check_zip(os.path.join(source, z))
            if problem:
                problems[z[:-4]] = problem
                zips.remove(z)
            else:
                shutil.copy(os.path.join(source, z), archive)
        result = course.nbgrader(
            "zip_collect",
            course.assignment,
            "--force",
            f"--FileNameCollectorPlugin.named_regexp={COLLECT_REGEXP}",
        )
        if result.returncode != 0:
            raise RuntimeError(f"nbgrader zip_collect failed:\n{result.stderr[-3000:]}")
        collected = (
            set(os.listdir(course.submitted())) if os.path.isdir(course.submitted()) else set()
        )
        for z in zips:
            student = z[:-4]
            if student not in collected:
                problems[student] = "the archive holds no notebook"
    elif os.path.realpath(source) != os.path.realpath(course.submitted()):
        for student in sorted(os.listdir(source)):
            src = os.path.join(source, student)
            if not os.path.isdir(src):
                continue
            inner = os.path.join(src, course.assignment)
            dest = course.submitted(student)
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(inner if os.path.isdir(inner) else src, dest)
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
    """What normalization found in one student's submission."""

    def __init__(self, student):
        self.student = student
        self.notes = {}  # notebook -> [repairs]
        self.invalid = {}  # notebook -> reason
        self.missing = []  # notebooks not submitted
        self.extra = []  # files ignored


def prepare(course, student):
    """Archive the originals (if new) and write the normalized submission."""
    state_path = os.path.join(course.work, "state.json")
    state = {}
    if os.path.exists(state_path):
        with open(state_path) as f:
            state = json.load(f)
    submitted = course.submitted(student)
    originals = os.path.join(course.work, "originals", student)
    if not os.path.isdir(originals) or (
        os.path.isdir(submitted)
        and fingerprint(submitted) != state.get(student, {}).get("normalized")
    ):
        shutil.rmtree(originals, ignore_errors=True)
        shutil.copytree(submitted, originals)

    prep = Prepared(student)
    expected = {n + ".ipynb" for n in course.notebooks()}
    found = {}
    for dirpath, _, files in os.walk(originals):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), originals)
            if name in expected and name not in found:
                found[name] = os.path.join(dirpath, name)
            elif name != "timestamp.txt":
                prep.extra.append(rel)
    shutil.rmtree(submitted, ignore_errors=True)
    os.makedirs(submitted)
    timestamp = os.path.join(originals, "timestamp.txt")
    if os.path.exists(timestamp):
        shutil.copy(timestamp, submitted)
    for name in sorted(expected):
        nb = name[:-6]
        if name not in found:
            prep.missing.append(nb)
            continue
        try:
            notes = normalize_file(
                found[name], os.path.join(course.release_dir(), name), os.path.join(submitted, name)
            )
            if notes:
                prep.notes[nb] = notes
        except InvalidNotebook as e:
            prep.invalid[nb] = str(e)
    state[student] = {"normalized": fingerprint(submitted)}
    os.makedirs(course.work, exist_ok=True)
    with open(state_path, "w") as f:
        json.dump(state, f, indent=1)
    return prep
