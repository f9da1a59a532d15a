"""Whose file is it: from the LMS's identifier (or the folder's name) to a student id.

Without a roster the LMS's own identifier is the student id: the Canvas user id, the
Moodle participant number, the Blackboard username, or the folder (archive) name. With a
roster, the identifier is looked up with the LMS's finders (each module of lms/ says
which), a folder's or archive's name as id, else lms_user_id; a file nobody on the
roster owns is skipped.
"""

from dataclasses import dataclass

from .lms import BY_KEY
from .lms.base import by_id, by_lms_number

FOLDER = "folder"
FOLDER_FINDERS = (by_id, by_lms_number)


@dataclass(frozen=True)
class Owner:
    """Who a file belongs to, as its path says."""

    source: str  # an LmsFormat.key ("canvas", ...) or "folder"
    key: str  # the identifier in the path
    name: str = ""  # the name in the path, if any

    def describe(self):
        what = "student folder" if self.source == FOLDER else BY_KEY[self.source].owner
        return f"{what} {self.key}" + (f" ({self.name})" if self.name else "")


def identify(owner, roster):
    """(student id, note) or (None, why not)."""
    if roster is None:
        return owner.key, ""
    finders = FOLDER_FINDERS if owner.source == FOLDER else BY_KEY[owner.source].finders
    for find in finders:
        student, note = find(owner, roster)
        if student:
            return student.id, note
    return None, f"{owner.describe()} is not on the roster"
