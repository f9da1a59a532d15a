"""The learning management systems whose bulk downloads the intake reads: one module each.

Adding an LMS: a module here with its FORMAT (base.LmsFormat: how it names files, how
its identifiers map to the roster, which of its files are no submitted notebooks) and
one line in FORMATS. Each pattern matches ONE path component (a file or folder name, or
the name of an archive), never a whole path; the first format whose pattern matches names it.
"""

from . import blackboard, canvas, moodle
from .base import LmsFormat, LmsName

FORMATS = (canvas.FORMAT, moodle.FORMAT, blackboard.FORMAT)
BY_KEY = {f.key: f for f in FORMATS}

__all__ = ["BY_KEY", "FORMATS", "LmsFormat", "LmsName", "parse_lms_name"]


def parse_lms_name(component):
    """The LmsName of one file or folder name, or None if no LMS named it."""
    for lms in FORMATS:
        name = lms.parse(component)
        if name:
            return name
    return None
