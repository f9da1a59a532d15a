"""Put accepted files where nbgrader expects them, without deleting anything."""

import filecmp
import os
import shutil
from dataclasses import dataclass, field

from nbgrader.utils import parse_utc

from .result import TIME_FORMAT

TIMESTAMP_FILE = "timestamp.txt"


@dataclass
class WriteReport:
    written: dict = field(default_factory=dict)  # student -> [file names written]
    unchanged: list = field(default_factory=list)  # students whose files were all there
    kept_newer: dict = field(default_factory=dict)  # student -> why nothing was written


def write_submitted(result, submitted_dir, assignment, students=None):
    """Copy ``result``'s files to ``submitted_dir/<student>/<assignment>/<notebook>``.

    Only the files of the intake are written (a notebook identical to the one already
    there is left alone, so its modification time stays); nothing is deleted, and other
    students' folders are not touched. A student's timestamp.txt is written when the
    intake has a time. If the submission already there has a LATER timestamp.txt than
    the intake's, the student is left alone (an old download never replaces a newer
    submission) and listed in ``kept_newer``. ``students``: only these (default: all).
    """
    report = WriteReport()
    for student, sub in sorted(result.students.items()):
        if students is not None and student not in students:
            continue
        dest = os.path.join(submitted_dir, student, assignment)
        newer = _newer_submission(dest, sub.timestamp)
        if newer:
            report.kept_newer[student] = newer
            continue
        os.makedirs(dest, exist_ok=True)
        written = [name for name, path in sorted(sub.files.items()) if _put(path, dest, name)]
        if sub.timestamp and _put_text(sub.timestamp.strftime(TIME_FORMAT), dest):
            written.append(TIMESTAMP_FILE)
        if written:
            report.written[student] = written
        else:
            report.unchanged.append(student)
    return report


def _newer_submission(dest, timestamp):
    path = os.path.join(dest, TIMESTAMP_FILE)
    if timestamp is None or not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            existing = parse_utc(f.read().strip())
    except (OSError, ValueError, OverflowError):
        return None
    if existing and existing > timestamp.replace(tzinfo=None):
        return (
            f"{dest} holds a later submission ({existing} UTC) than this one "
            f"({timestamp:%Y-%m-%d %H:%M:%S} UTC)"
        )
    return None


def _put(src, dest_dir, name):
    """Copy ``src`` to ``dest_dir/name`` (atomically) unless it is already there."""
    target = os.path.join(dest_dir, name)
    if os.path.exists(target) and filecmp.cmp(src, target, shallow=False):
        return False
    tmp = target + ".incoming"
    shutil.copyfile(src, tmp)
    os.replace(tmp, target)
    return True


def _put_text(text, dest_dir):
    target = os.path.join(dest_dir, TIMESTAMP_FILE)
    if os.path.exists(target):
        with open(target, encoding="utf-8") as f:
            if f.read() == text:
                return False
    with open(target + ".incoming", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(target + ".incoming", target)
    return True
