"""What every LMS module gives the intake (LmsFormat), what it reads from a name (LmsName),
and the roster look-ups the modules share."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LmsName:
    """What one path component says about a file, in the words of the LMS that named it."""

    lms: str  # LmsFormat.key of the LMS: "canvas", "moodle", "blackboard"
    key: str  # the LMS's identifier of the student (user id, participant id, username)
    name: str = ""  # the student's name as the file name spells it ("leeann", "Ann Lee")
    file: str = ""  # the original file name ("" for a Moodle per-student folder)
    timestamp: datetime | None = None  # naive, the LMS server's local time
    late: bool = False  # the LMS marked the submission late
    receipt: bool = False  # a receipt beside the submission (Blackboard's .txt), no submitted file
    anonymous: bool = False  # anonymous grading: no student to map it to
    plugin: str = "file"  # Moodle submission plugin ("file", "onlinetext")


def no_skip(lms):
    return None


def no_notes(lms):
    return []


def no_zone(text):
    return None


@dataclass(frozen=True)
class LmsFormat:
    """One LMS's bulk-download names, from the file name to the student and the Skip.

    ``parse(component)``: the LmsName of one file or folder name, or None (not this LMS's);
    ``finders``: roster look-ups ``(owner, roster) -> (Student or None, note)``, tried in order;
    ``skip(lms)``: ``(skip code, reason)`` for a named file that is no submitted notebook, or None;
    ``notes(lms)``: what the name says about the submission, kept in the intake record;
    ``stated_zone(text)``: the zone word a receipt's text states (receipts.py), or None.
    """

    key: str  # "canvas": LmsName.lms and Owner.source
    title: str  # "Canvas", in messages
    owner: str  # "Canvas user": who the key names, in messages
    parse: Callable
    finders: tuple
    skip: Callable = no_skip
    notes: Callable = no_notes
    stated_zone: Callable = no_zone


def by_id(owner, roster):
    """The student whose id is the key."""
    return roster.get(owner.key), ""


def by_lms_number(owner, roster):
    """The student whose lms_user_id (the class list's LMS column) is the key."""
    return roster.by_lms_user_id(owner.key), ""


def only(candidates, owner):
    """The one candidate, with a note that the name matched it; else None."""
    if len(candidates) == 1:
        return candidates[0], f"{owner.describe()}: matched to the roster by name"
    return None, ""
