"""Canvas: the names of Assignments > "Download Submissions", and whose file each one is.

instructure/canvas-lms lib/content_zipper.rb, ContentZipper#zip_assignment: every uploaded
file of the current submission is stored as
  "#{filename}_#{file.id}_#{sanitize_attachment_filename(file.display_name)}"
with filename = [users_name, "LATE" if submission.late?, submission.user_id].join("_"),
users_name = the sortable name ("Lee, Ann"), lower-cased, non-word characters removed
("leeann"), and `_<digits>_` runs deleted from it so that the ids stay unambiguous
(sanitize_user_name). The first number is the Canvas user id (the ID column of Canvas's
gradebook CSV), the second the attachment (file) id. No submission time is included.

With a roster: lms_user_id == the user id; else the only student whose "Last, First"
gives the name in the file name (Canvas's own slug, e.g. "leeann").
"""

import re

from ..skips import UNKNOWN_STUDENT
from .base import LmsFormat, LmsName, by_lms_number, only

NAME = re.compile(
    r"(?P<name>\w+?)(?P<late>_LATE)?_(?P<user_id>\d+)_(?P<attachment_id>\d+)_(?P<file>.+)"
)
# Same file, anonymous grading: users_name is nil and the id is "anon_<anonymous_id>", so
# the name is "[LATE_]anon_<anonymous id>_<attachment id>_<file>": nobody to map it to.
ANONYMOUS = re.compile(
    r"(?:LATE_)?anon_(?P<anonymous_id>[A-Za-z0-9]+)_(?P<attachment_id>\d+)_(?P<file>.+)"
)
LATE_NOTE = "Canvas marked the submission late"  # lms_export/late.py reads it back


def parse(component):
    m = ANONYMOUS.fullmatch(component)
    if m:
        return LmsName("canvas", "anon_" + m["anonymous_id"], file=m["file"], anonymous=True)
    m = NAME.fullmatch(component)
    if m:
        return LmsName("canvas", m["user_id"], name=m["name"], file=m["file"], late=bool(m["late"]))
    return None


def name_slug(last_name, first_name):
    """The name part Canvas puts in file names: the sortable name "Last, First",
    lower-cased, without non-word characters (ContentZipper#sanitize_file_name)."""
    sortable = ", ".join(p for p in (last_name, first_name) if p)
    return re.sub(r"[^\w]", "", sortable).lower()


def by_name(owner, roster):
    if not owner.name:
        return None, ""
    slug = owner.name.lower()
    return only(roster.matching(lambda s: name_slug(s.last_name, s.first_name) == slug), owner)


def skip(lms):
    if lms.anonymous:
        why = (
            "Canvas anonymous grading: the file names no student (turn anonymous grading "
            "off, or grade these by hand)"
        )
        return UNKNOWN_STUDENT, why
    return None


def notes(lms):
    return [LATE_NOTE] if lms.late else []


FORMAT = LmsFormat(
    "canvas", "Canvas", "Canvas user", parse, (by_lms_number, by_name), skip=skip, notes=notes
)
