"""One found file -> a notebook of a student (a Candidate), a submission time, or a Skip
with the reason.

Whose file: a first component that is a student's own folder or archive on the roster
(nbgrader's <student>/<assignment>/*.ipynb, <student>/*.ipynb, <student>.zip) gives the
student; otherwise the first component of its logical path that an LMS named (Canvas,
Moodle, Blackboard: see lms/) does; otherwise the first component is the student's
folder or archive. Which notebook: the file name, less any duplicate suffix.

Below the component that names the owner, everything is the owner's own: an LMS-style
name there was written by the student, not the LMS, so it never gives the file to
another student (it is skipped), and names the owner's own file without giving it its
date; nor does a timestamp.txt inside an archive set anyone's time. Times come from the
LMS's own names (the owner's component) and nbgrader's folders only.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from nbgrader.utils import parse_utc

from ..roster.model import STUDENT_ID
from .archives import archive_kind, archive_stem
from .duplicates import notebook_of
from .identify import FOLDER, Owner, identify
from .lms import BY_KEY, parse_lms_name
from .receipts import receipt_zones, zone_named
from .renamed import renamed_from
from .skips import (
    ANOTHERS_NAME,
    NO_OWNER,
    NOT_NOTEBOOK,
    RENAMED,
    SUBMISSION_TIME,
    SYSTEM,
    UNKNOWN_STUDENT,
    UNREADABLE,
    UNRECOGNISED,
    Skip,
)

SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
TIMESTAMP_FILE = "timestamp.txt"


@dataclass
class Candidate:
    """A notebook file that belongs to a student."""

    student: str
    notebook: str  # the notebook's file name in the assignment
    file: object  # the FoundFile
    rank: tuple = ()  # copy rank from duplicate suffixes
    timestamp: datetime | None = None  # aware, UTC
    note: str = ""


@dataclass
class Stamp:
    """A submission time read from a file (nbgrader's timestamp.txt)."""

    student: str
    timestamp: datetime
    file: object


class Classifier:
    """``lms_timezone``: the course's zone of the LMSs' naive times (Blackboard's; None: not
    set); ``receipts``: the found files, whose LMS receipts state their attempt's zone."""

    def __init__(self, notebooks, roster=None, lms_timezone=None, receipts=()):
        self.notebooks = set(notebooks)
        self.roster = roster
        self.zone = zone_named(lms_timezone) if lms_timezone else None
        self.receipt_zones = receipt_zones(receipts, self.zone)
        self.utc_fallback = set()  # students whose Blackboard times were read as UTC

    def __call__(self, found):
        parts = found.parts
        owner, lms, index = self._owner(parts)
        system = _system_file(parts)
        if system:
            return Skip(found.logical, SYSTEM, system, self._student(owner) if owner else None)
        if owner is None:
            why = "not in a student folder or archive, and not named by an LMS"
            return Skip(found.logical, NO_OWNER, why)
        filename = lms.file if lms and index == len(parts) - 1 else parts[-1]
        skip = _lms_skip(found, lms)
        if skip:
            skip.student = None if skip.code == UNKNOWN_STUDENT else self._student(owner)
            return skip
        student, note = identify(owner, self.roster)
        if student is None:
            return Skip(found.logical, UNKNOWN_STUDENT, note)
        if not STUDENT_ID.fullmatch(student):
            why = f"{student!r} is not a usable student id (letters, digits, _.@+- only)"
            return Skip(found.logical, UNKNOWN_STUDENT, why)
        inside = self._inside(found, index, student)
        if isinstance(inside, Skip):
            return inside
        if inside:
            filename = inside  # the owner's file; its own date is not the LMS's (lms is)
        if owner.source == FOLDER and filename == TIMESTAMP_FILE:
            return self._stamp(found, student)
        return self._notebook(found, filename, student, lms, note)

    def _inside(self, found, index, student):
        """What the components below the owner's (``index``) say: a Skip (another
        student's LMS-style name, a timestamp.txt in an archive), the owner's own file
        name in an LMS-style name, or None."""
        parts = found.parts
        for i, inner in _inner_lms_names(parts, index):
            named, _ = identify(Owner(inner.lms, inner.key, inner.name), self.roster)
            if named != student:
                why = (
                    f"named like an LMS's file of {named or inner.key}, inside {parts[index]}, "
                    f"which is {student}'s: a student's upload holds only their own files"
                )
                return Skip(found.logical, ANOTHERS_NAME, why, student)
            if i == len(parts) - 1 and inner.file and not inner.receipt:
                return inner.file
        if found.archived and parts[-1] == TIMESTAMP_FILE:
            why = "timestamp.txt inside an archive: the student's own file, not a submission time"
            return Skip(found.logical, SUBMISSION_TIME, why, student)
        return None

    def _owner(self, parts):
        """(Owner, LmsName or None, index of the component that names the owner)."""
        if self.roster is not None and len(parts) >= 2 and parse_lms_name(parts[0]) is None:
            own = Owner(FOLDER, archive_stem(parts[0]))
            if identify(own, self.roster)[0] is not None:
                return own, None, 0  # a student's own folder or archive
        return _owner(parts)

    def student_of(self, logical):
        """The student a file or archive that could not be read belongs to, or None
        (so that "carol.zip is damaged" is carol's problem, not nobody's)."""
        parts = tuple(logical.split("/"))
        owner, _, _ = self._owner(parts)
        if owner is None and archive_kind(parts[0]):
            owner = Owner(FOLDER, archive_stem(parts[0]))
        return self._student(owner) if owner else None

    def _student(self, owner):
        """The id of ``owner`` if it is a usable student's, else None."""
        student, _ = identify(owner, self.roster)
        return student if student and STUDENT_ID.fullmatch(student) else None

    def _notebook(self, found, filename, student, lms, note):
        match = notebook_of(filename, self.notebooks)
        if match is None:
            if filename.lower().endswith(".ipynb"):
                original = renamed_from(found.path, self.notebooks)
                if original:
                    why = (
                        f"renamed: {filename} is {original}.ipynb (its test cells are that "
                        f"notebook's) under another name; graded only as {original}.ipynb"
                    )
                    return Skip(found.logical, RENAMED, why, student)
                expected = ", ".join(sorted(n + ".ipynb" for n in self.notebooks))
                why = f"{filename} is not one of the assignment's notebooks ({expected})"
                return Skip(found.logical, UNRECOGNISED, why, student)
            return Skip(found.logical, NOT_NOTEBOOK, f"{filename} is not a notebook", student)
        notebook, rank = match
        timestamp = None
        if lms and lms.timestamp:
            timestamp, how = self._zoned(lms, student)
            title = BY_KEY[lms.lms].title
            read = f"{title}'s time {lms.timestamp:%Y-%m-%d %H:%M:%S} read as {how}"
            note = "; ".join(filter(None, [note, read]))
        if lms:
            note = "; ".join(filter(None, [note, *BY_KEY[lms.lms].notes(lms)]))
        return Candidate(student, notebook, found, rank, timestamp, note)

    def _zoned(self, lms, student):
        """(aware UTC time, how its zone was found) of an LMS's attempt (Blackboard's): its
        receipt's zone, else the course's, else UTC (and the student is listed)."""
        zone, how = self.receipt_zones.get((lms.key, lms.timestamp), (None, ""))
        if zone is None and self.zone is not None:
            why = f"; {how}" if how else ""
            zone, how = self.zone, f"{self.zone.key} (the course's zone{why})"
        if zone is None:
            self.utc_fallback.add(student)
            why = how or "no receipt states a zone"
            zone, how = UTC, f"UTC ({why}, and the course sets no zone)"
        return lms.timestamp.replace(tzinfo=zone).astimezone(UTC), how

    def _stamp(self, found, student):
        try:
            with open(found.path, encoding="utf-8") as f:
                value = parse_utc(f.read().strip())
        except (OSError, ValueError, OverflowError) as e:
            why = f"timestamp.txt could not be read as a time ({e})"
            return Skip(found.logical, UNREADABLE, why, student)
        if value is None:
            return Skip(found.logical, UNREADABLE, "timestamp.txt is empty", student)
        return Stamp(student, value.replace(tzinfo=UTC), found)


def _system_file(parts):
    """Why the file is an operating system's or Jupyter's own, or None."""
    name = parts[-1]
    if "__MACOSX" in parts or name.startswith("._"):
        return "macOS archive metadata"
    if name in SYSTEM_FILES:
        return "operating system file"
    if ".ipynb_checkpoints" in parts:
        return "Jupyter checkpoint (an automatic backup, not the submitted notebook)"
    return None


def _owner(parts):
    """(Owner, LmsName or None, index of the component that names the owner)."""
    for i, part in enumerate(parts):
        lms = parse_lms_name(part)
        if lms:
            return Owner(lms.lms, lms.key, lms.name), lms, i
    if len(parts) >= 2:
        return Owner(FOLDER, archive_stem(parts[0])), None, 0
    return None, None, None


def _inner_lms_names(parts, index):
    """(index, LmsName) of the LMS-style names below the owner's component ``index``."""
    for i in range(index + 1, len(parts)):
        lms = parse_lms_name(parts[i])
        if lms:
            yield i, lms


def _lms_skip(found, lms):
    """A Skip for LMS files that are not submitted notebooks, else None."""
    skip = BY_KEY[lms.lms].skip(lms) if lms else None
    return Skip(found.logical, *skip) if skip else None
