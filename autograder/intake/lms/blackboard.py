"""Blackboard Learn: the names of Grade Center > column > Assignment File Download, whose
file each one is, and the zone its receipt states.

Original course view:
  <assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<original file name>
plus one receipt <assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>.txt per attempt.
Sources: nbgrader's own docs sample (docs/source/user_guide/downloaded/ps1/archive:
ps1_bitdiddle_attempt_2016-01-30-15-30-10_problem1.ipynb) and FileNameCollectorPlugin's
named_regexp help; codepost-io/integration-blackboard sample_submissions; the username is
the last "_" field before "_attempt_" (vangef/BBGradebookOrganiser utils/organiser.py).
The time is the Blackboard server's local time, without a zone.
Blackboard's own part comes first and the student's file name after it, so the FIRST
"_<username>_attempt_<time>" is Blackboard's (lazy): a file named
"x_bob_attempt_2099-..." by alice stays alice's, with her attempt's time.

The receipt's "Date Submitted:" line is the same time in the server's locale, ending with
the zone (receipts.py resolves it):

    Date Submitted: Monday, March 2, 2026 11:30:00 PM CET          (en_US)
    Date Submitted: Monday, 2 March 2026 23:30:00 o'clock CET      (en_GB)

(fields as CodeGra.de reads them, psef/blackboard.py parse_info_file: "Name:",
"Assignment:", "Date Submitted:", "Current Grade:", ..., "Files:").

With a roster: id == the username, else lms_user_id == the username.
"""

import re
from datetime import datetime

from ..skips import SUBMISSION_TIME
from .base import LmsFormat, LmsName, by_id, by_lms_number

NAME = re.compile(
    r"(?P<assignment>.+?)_(?P<username>[^_]+)_attempt_(?P<stamp>\d{4}(?:-\d\d){5})"
    r"(?:_(?P<file>.+)|(?P<receipt>\.txt))"
)
STAMP = "%Y-%m-%d-%H-%M-%S"
DATE_LINE = re.compile(r"^Date Submitted:\s*(?P<value>.+?)\s*$", re.MULTILINE)


def parse(component):
    m = NAME.fullmatch(component)
    if m:
        return LmsName(
            "blackboard",
            m["username"],
            file=m["file"] or "",
            timestamp=datetime.strptime(m["stamp"], STAMP),
            receipt=bool(m["receipt"]),
        )
    return None


def skip(lms):
    if lms.receipt:
        return SUBMISSION_TIME, "Blackboard receipt (its time is in the names)"
    return None


def stated_zone(text):
    """The zone word at the end of a receipt's "Date Submitted:" line, or None."""
    m = DATE_LINE.search(text)
    if not m:
        return None
    words = m["value"].replace("o'clock", "").split()
    word = words[-1] if words else ""
    if not word or word.upper() in ("AM", "PM") or re.fullmatch(r"[\d:.,]+", word):
        return None  # a time without a zone
    return word


FORMAT = LmsFormat(
    "blackboard",
    "Blackboard",
    "Blackboard user",
    parse,
    (by_id, by_lms_number),
    skip=skip,
    stated_zone=stated_zone,
)
