"""Take a student out of the course (withdrawn, or imported by mistake), kept on record.

``nbgrader db student remove`` deletes the student from the gradebook (with --force also
their grades). Their folders would bring them back at the next ``make grade`` (it grades
every folder in submitted/), so those are MOVED, never deleted, to
``grading/removed/<student>-<time>/`` (submitted/, autograded/, feedback/ and the
result), and the removal is a line of the course's roster log, grading/roster.log.
"""

import datetime
import json
import os
import shutil
import subprocess

from course.paths import tool_env, venv_bin

from ..coursedir import step_folder
from .model import RosterError

STUDENT_FOLDERS = ("submitted", "autograded", "feedback")  # steps, as the course names them


def log_path(course_dir):
    return os.path.join(course_dir, "grading", "roster.log")


def record(course_dir, **entry):
    """Append one JSON line (with the time) to grading/roster.log."""
    os.makedirs(os.path.dirname(log_path(course_dir)), exist_ok=True)
    entry = {"when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), **entry}
    with open(log_path(course_dir), "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def remove_student(course_dir, student, force=False, reason=""):
    """Remove ``student`` from the gradebook and move their folders aside; returns where
    they went. RosterError if nbgrader refuses (grades exist and not ``force``)."""
    cmd = [os.path.join(venv_bin(), "nbgrader"), "db", "student", "remove", student]
    result = subprocess.run(
        [*cmd, *(["--force"] if force else [])],
        cwd=course_dir,
        env=tool_env({"PYTHONUTF8": "1"}),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        why = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["failed"]
        raise RosterError(
            f"nbgrader db student remove {student}: {why[0]} (--force removes their grades too)"
        )
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    dest = os.path.join(course_dir, "grading", "removed", f"{student}-{stamp}")
    moved = []
    sources = [os.path.join(step_folder(course_dir, step), student) for step in STUDENT_FOLDERS]
    sources.append(os.path.join(course_dir, "grading", "results", student + ".json"))
    for path in sources:
        if os.path.exists(path):
            target = os.path.join(dest, os.path.relpath(path, course_dir))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.move(path, target)
            moved.append(os.path.relpath(path, course_dir))
    record(course_dir, action="removed", student=student, reason=reason, moved_to=dest, moved=moved)
    return dest, moved
