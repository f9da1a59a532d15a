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
    retimed: dict = field(default_factory=dict)  # student -> how the time was corrected


def write_submitted(result, submitted_dir, assignment, students=None):
    """Copy ``result``'s files to ``submitted_dir/<student>/<assignment>/<notebook>``.

    Only the files of the intake are written (a notebook identical to the one already
    there is left alone, so its modification time stays); nothing is deleted, and other
    students' folders are not touched. A student's timestamp.txt is written when the
    intake has a time. If the submission already there has a LATER timestamp.txt than
    the intake's, the student is left alone (an old download never replaces a newer
    submission) and listed in ``kept_newer`` -- unless the files are the ones already
    there: then it is the same submission with its time read again (e.g. with the right
    zone), the time is replaced and the student listed in ``retimed``. ``students``: only
    these (default: all).
    """
    report = WriteReport()
    for student, sub in sorted(result.students.items()):
        if students is not None and student not in students:
            continue
        dest = os.path.join(submitted_dir, student, assignment)
        newer = _newer_submission(dest, sub.timestamp)
        same = _same_files(sub.files, dest)
        if newer and not same:
            report.kept_newer[student] = newer
            continue
        before = _read_time(dest)
        os.makedirs(dest, exist_ok=True)
        written = [name for name, path in sorted(sub.files.items()) if _put(path, dest, name)]
        if sub.timestamp and _put_text(sub.timestamp.strftime(TIME_FORMAT), dest):
            written.append(TIMESTAMP_FILE)
            if same and before and before != sub.timestamp.replace(tzinfo=None):
                report.retimed[student] = (
                    f"submission time corrected from {before:%Y-%m-%d %H:%M:%S} UTC to "
                    f"{sub.timestamp:%Y-%m-%d %H:%M:%S} UTC (the same files, read again)"
                )
        if written:
            report.written[student] = written
        else:
            report.unchanged.append(student)
    return report


def _read_time(dest):
    """The naive UTC time of dest's timestamp.txt, or None."""
    try:
        with open(os.path.join(dest, TIMESTAMP_FILE), encoding="utf-8") as f:
            return parse_utc(f.read().strip())
    except (OSError, ValueError, OverflowError):
        return None


def _same_files(files, dest):
    """Whether every one of ``files`` ({name: path}) is already in ``dest``, unchanged."""
    return bool(files) and all(
        os.path.exists(os.path.join(dest, name))
        and filecmp.cmp(path, os.path.join(dest, name), shallow=False)
        for name, path in files.items()
    )


def _newer_submission(dest, timestamp):
    existing = _read_time(dest) if timestamp is not None else None
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
