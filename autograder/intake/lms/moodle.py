"""Moodle: the names of an assignment's "Download all submissions", and whose file each one is.

moodle/moodle mod/assign/locallib.php, assign::download_submissions():
  $prefix = str_replace('_', ' ', $groupname . fullname($student));   (or "Participant")
  $prefix = clean_filename($prefix . '_' . $this->get_uniqueid_for_user($userid));
  folders (the default since Moodle 3.1): $prefix . '_' . $subtype . '_' . $type . '_'
      . $file->get_filepath() . $zipfilename  -> "Ann Lee_1234567_assignsubmission_file_/x.ipynb"
  flat: clean_filename($prefix . '_' . $subtype . '_' . $type . '_' . $zipfilename)
Underscores in names become spaces, so "_<digits>_assignsubmission_" is an unambiguous
anchor. The number is get_uniqueid_for_user(): a per-assignment participant id (table
assign_user_mapping), the same "Participant N" as the "Identifier" column of the
assignment's grading worksheet (mod/assign/gradingtable.php, col_recordid).

With a roster: lms_user_id == the participant number; else the only student whose
"First Last" is the name in the file name (not for blind marking: "Participant").
"""

import re

from ..skips import NOT_NOTEBOOK
from .base import LmsFormat, LmsName, by_lms_number, only

NAME = re.compile(
    r"(?P<name>[^_]+)_(?P<participant_id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)"
)


def parse(component):
    m = NAME.fullmatch(component)
    if m:
        return LmsName(
            "moodle", m["participant_id"], name=m["name"], file=m["file"], plugin=m["plugin"]
        )
    return None


def by_name(owner, roster):
    name = " ".join(owner.name.split()).casefold()
    if not name or name == "participant":
        return None, ""
    return only(roster.matching(lambda s: s.full_name.casefold() == name), owner)


def skip(lms):
    if lms.plugin != "file":
        return NOT_NOTEBOOK, f"Moodle {lms.plugin} submission, not a file"
    return None


FORMAT = LmsFormat("moodle", "Moodle", "Moodle participant", parse, (by_lms_number, by_name), skip)
