"""Intake: every submitted file graded, or listed with the reason it is not.

    result = collect(PATH, notebooks, roster)      # nothing is written to the course
    print(result.report())                         # found / graded / skipped, with reasons
    write_submitted(result, "<course>/submitted", "rnn")

PATH may mix nbgrader's layout, per-student folders and archives, and the bulk downloads
of Canvas, Moodle and Blackboard (lms/, one module per LMS, cites where each naming
comes from; duplicates.py the copies' names).
``python -m autograder.collect PATH`` shows what a folder holds.
"""

from .collect import collect
from .result import IntakeResult, StudentSubmission
from .skips import Skip
from .write import WriteReport, write_submitted

__all__ = [
    "IntakeResult",
    "Skip",
    "StudentSubmission",
    "WriteReport",
    "collect",
    "write_submitted",
]
