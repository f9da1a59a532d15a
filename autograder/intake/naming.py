"""How learning management systems and browsers name submitted files.

Every pattern below is taken from the code that produces the names; the source is cited
next to it. Each pattern matches ONE path component (a file or folder name, or the name
of an archive), never a whole path.
"""

import re
from dataclasses import dataclass
from datetime import datetime

# ---------------------------------------------------------------------------------- Canvas
# instructure/canvas-lms lib/content_zipper.rb, ContentZipper#zip_assignment: every uploaded
# file of the current submission is stored as
#   "#{filename}_#{file.id}_#{sanitize_attachment_filename(file.display_name)}"
# with filename = [users_name, "LATE" if submission.late?, submission.user_id].join("_"),
# users_name = the sortable name ("Lee, Ann"), lower-cased, non-word characters removed
# ("leeann"), and `_<digits>_` runs deleted from it so that the ids stay unambiguous
# (sanitize_user_name). The first number is the Canvas user id (the ID column of Canvas's
# gradebook CSV), the second the attachment (file) id. No submission time is included.
CANVAS = re.compile(
    r"(?P<name>\w+?)(?P<late>_LATE)?_(?P<user_id>\d+)_(?P<attachment_id>\d+)_(?P<file>.+)"
)
# Same file, anonymous grading: users_name is nil and the id is "anon_<anonymous_id>", so
# the name is "[LATE_]anon_<anonymous id>_<attachment id>_<file>": nobody to map it to.
CANVAS_ANONYMOUS = re.compile(
    r"(?:LATE_)?anon_(?P<anonymous_id>[A-Za-z0-9]+)_(?P<attachment_id>\d+)_(?P<file>.+)"
)

# ---------------------------------------------------------------------------------- Moodle
# moodle/moodle mod/assign/locallib.php, assign::download_submissions():
#   $prefix = str_replace('_', ' ', $groupname . fullname($student));   (or "Participant")
#   $prefix = clean_filename($prefix . '_' . $this->get_uniqueid_for_user($userid));
#   folders (the default since Moodle 3.1): $prefix . '_' . $subtype . '_' . $type . '_'
#       . $file->get_filepath() . $zipfilename  -> "Ann Lee_1234567_assignsubmission_file_/x.ipynb"
#   flat: clean_filename($prefix . '_' . $subtype . '_' . $type . '_' . $zipfilename)
# Underscores in names become spaces, so "_<digits>_assignsubmission_" is an unambiguous
# anchor. The number is get_uniqueid_for_user(): a per-assignment participant id (table
# assign_user_mapping), the same "Participant N" as the "Identifier" column of the
# assignment's grading worksheet (mod/assign/gradingtable.php, col_recordid).
MOODLE = re.compile(
    r"(?P<name>[^_]+)_(?P<participant_id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)"
)

# ------------------------------------------------------------------------------ Blackboard
# Blackboard Learn (original course view), Grade Center > column > Assignment File Download:
#   <assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<original file name>
# plus one receipt <assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>.txt per attempt.
# Sources: nbgrader's own docs sample (docs/source/user_guide/downloaded/ps1/archive:
# ps1_bitdiddle_attempt_2016-01-30-15-30-10_problem1.ipynb) and FileNameCollectorPlugin's
# named_regexp help; codepost-io/integration-blackboard sample_submissions; the username is
# the last "_" field before "_attempt_" (vangef/BBGradebookOrganiser utils/organiser.py).
# The time is the Blackboard server's local time, without a zone.
# Blackboard's own part comes first and the student's file name after it, so the FIRST
# "_<username>_attempt_<time>" is Blackboard's (lazy): a file named
# "x_bob_attempt_2099-..." by alice stays alice's, with her attempt's time.
BLACKBOARD = re.compile(
    r"(?P<assignment>.+?)_(?P<username>[^_]+)_attempt_(?P<stamp>\d{4}(?:-\d\d){5})"
    r"(?:_(?P<file>.+)|(?P<receipt>\.txt))"
)
BLACKBOARD_STAMP = "%Y-%m-%d-%H-%M-%S"

# ------------------------------------------------------------------ duplicate file names
# Suffixes that browsers, LMSs and Jupyter add to a second copy of a file. Each is removed
# only if what remains is one of the assignment's notebooks (problem-1.ipynb may be a real
# name). The number orders the copies: a higher number is a later copy.
DUPLICATE_SUFFIXES = (
    # Chromium downloads (components/download/.../download_path_reservation_tracker.cc,
    # CreateUniqueFilename: " (%d)") and Moodle file areas (lib/filestorage/
    # file_storage.php, get_unused_filename: "file (1).txt").
    re.compile(r" \((?P<n>\d+)\)$"),
    # Firefox downloads (toolkit/components/downloads/DownloadPaths.sys.mjs,
    # createNiceUniqueFile: base + "(" + i + ")" + ext).
    re.compile(r"\((?P<n>\d+)\)$"),
    # Jupyter's "Duplicate" (jupyter_server services/contents/manager.py: copy_pat
    # "-Copy\d*", increment_filename(name, insert="-Copy")).
    re.compile(r"-Copy(?P<n>\d*)$"),
    # Canvas re-upload into the submissions folder (app/models/attachment.rb,
    # make_unique_filename: "#{basename}-#{addition}", 1..7, then "-<uuid>").
    re.compile(r"-(?P<n>\d+)$"),
    re.compile(r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
)
UUID_COPY = 8  # Canvas falls back to a uuid after "-7"

NOTEBOOK_EXT = ".ipynb"


@dataclass(frozen=True)
class LmsName:
    """What one path component says about a file, in the words of the LMS that named it."""

    lms: str  # "canvas", "moodle", "blackboard"
    key: str  # the LMS's identifier of the student (user id, participant id, username)
    name: str = ""  # the student's name as the file name spells it ("leeann", "Ann Lee")
    file: str = ""  # the original file name ("" for a Moodle per-student folder)
    timestamp: datetime | None = None  # naive, the LMS server's local time
    late: bool = False  # Canvas marked the submission late
    receipt: bool = False  # a Blackboard receipt (.txt), not a submitted file
    anonymous: bool = False  # Canvas anonymous grading: no student to map it to
    plugin: str = "file"  # Moodle submission plugin ("file", "onlinetext")


def parse_lms_name(component):
    """The LmsName of one file or folder name, or None if no LMS named it."""
    m = CANVAS_ANONYMOUS.fullmatch(component)
    if m:
        return LmsName("canvas", "anon_" + m["anonymous_id"], file=m["file"], anonymous=True)
    m = CANVAS.fullmatch(component)
    if m:
        return LmsName("canvas", m["user_id"], name=m["name"], file=m["file"], late=bool(m["late"]))
    m = MOODLE.fullmatch(component)
    if m:
        return LmsName(
            "moodle", m["participant_id"], name=m["name"], file=m["file"], plugin=m["plugin"]
        )
    m = BLACKBOARD.fullmatch(component)
    if m:
        return LmsName(
            "blackboard",
            m["username"],
            file=m["file"] or "",
            timestamp=datetime.strptime(m["stamp"], BLACKBOARD_STAMP),
            receipt=bool(m["receipt"]),
        )
    return None


def notebook_of(filename, notebooks):
    """(notebook file name, copy rank) if ``filename`` is one of ``notebooks``, else None.

    ``notebooks`` are names without ".ipynb". Duplicate suffixes are removed only while the
    name is not a notebook's; the copy rank is the tuple of their numbers, outermost first,
    so "x (2).ipynb" > "x (1).ipynb" > "x.ipynb" in the order of ranks.
    """
    if not filename.endswith(NOTEBOOK_EXT):
        return None
    stem = filename[: -len(NOTEBOOK_EXT)]
    rank = ()
    while stem not in notebooks:
        for pattern in DUPLICATE_SUFFIXES:
            m = pattern.search(stem)
            if m:
                n = m.groupdict().get("n")
                rank += (int(n) if n else (UUID_COPY if n is None else 1),)
                stem = stem[: m.start()]
                break
        else:
            return None
    return stem + NOTEBOOK_EXT, rank


def canvas_name_slug(last_name, first_name):
    """The name part Canvas puts in file names: the sortable name "Last, First",
    lower-cased, without non-word characters (ContentZipper#sanitize_file_name)."""
    sortable = ", ".join(p for p in (last_name, first_name) if p)
    return re.sub(r"[^\w]", "", sortable).lower()
