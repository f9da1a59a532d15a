"""Whose file is it: from the LMS's identifier (or the folder's name) to a student id.

Without a roster the LMS's own identifier is the student id: the Canvas user id, the
Moodle participant number, the Blackboard username, or the folder (archive) name. With a
roster, the identifier is looked up, and a file nobody on the roster owns is skipped:

  Canvas       lms_user_id == the user id; else the only student whose "Last, First"
               gives the name in the file name (Canvas's own slug, e.g. "leeann")
  Moodle       lms_user_id == the participant number; else the only student whose
               "First Last" is the name in the file name (not for blind marking)
  Blackboard   id == the username, else lms_user_id == the username
  folder/zip   id == the name, else lms_user_id == the name
"""

from dataclasses import dataclass

from .naming import canvas_name_slug


@dataclass(frozen=True)
class Owner:
    """Who a file belongs to, as its path says."""

    source: str  # "canvas", "moodle", "blackboard" or "folder"
    key: str  # the identifier in the path
    name: str = ""  # the name in the path, if any

    def describe(self):
        what = {
            "canvas": "Canvas user",
            "moodle": "Moodle participant",
            "blackboard": "Blackboard user",
            "folder": "student folder",
        }[self.source]
        return f"{what} {self.key}" + (f" ({self.name})" if self.name else "")


def identify(owner, roster):
    """(student id, note) or (None, why not)."""
    if roster is None:
        return owner.key, ""
    finders = {
        "canvas": (_by_lms_number, _by_canvas_name),
        "moodle": (_by_lms_number, _by_moodle_name),
        "blackboard": (_by_id, _by_lms_number),
        "folder": (_by_id, _by_lms_number),
    }[owner.source]
    for find in finders:
        student, note = find(owner, roster)
        if student:
            return student.id, note
    return None, f"{owner.describe()} is not on the roster"


def _by_id(owner, roster):
    return roster.get(owner.key), ""


def _by_lms_number(owner, roster):
    return roster.by_lms_user_id(owner.key), ""


def _only(candidates, owner):
    if len(candidates) == 1:
        return candidates[0], f"{owner.describe()}: matched to the roster by name"
    return None, ""


def _by_canvas_name(owner, roster):
    if not owner.name:
        return None, ""
    slug = owner.name.lower()
    same = roster.matching(lambda s: canvas_name_slug(s.last_name, s.first_name) == slug)
    return _only(same, owner)


def _by_moodle_name(owner, roster):
    name = " ".join(owner.name.split()).casefold()
    if not name or name == "participant":
        return None, ""
    return _only(roster.matching(lambda s: s.full_name.casefold() == name), owner)
