"""Why a found file is not graded: a Skip with its code (the summary groups by the codes)."""

from dataclasses import dataclass

NOT_NOTEBOOK = "not a notebook"
UNRECOGNISED = "unrecognised notebook"
UNKNOWN_STUDENT = "unknown student"
NO_OWNER = "no student"
OLDER_DUPLICATE = "older duplicate"
IDENTICAL_COPY = "identical copy"
RENAMED = "renamed notebook"
UNREADABLE = "unreadable"
SYSTEM = "system file"
SUBMISSION_TIME = "submission time"  # read, not graded: timestamp.txt, Blackboard receipts
ANOTHERS_NAME = "another student's name"  # inside one student's folder or upload


@dataclass
class Skip:
    file: str  # logical path
    code: str
    reason: str
    student: str | None = None
