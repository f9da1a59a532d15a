"""The intake's file naming rules as an nbgrader collector plugin, for plain nbgrader:

    nbgrader zip_collect rnn --collector=autograder.intake.collectors.LmsCollector \\
        --extractor=autograder.intake.archives.SafeExtractor

recognises Canvas, Moodle and Blackboard names, per-student archives, duplicate suffixes
("02_rnn_forward (1).ipynb"), maps LMS numbers through the class list imported into the
gradebook (``python -m autograder.roster import``) and passes Blackboard's times on with their
zone (``--LmsCollector.lms_timezone=Europe/Berlin``). zip_collect itself still stops for
everyone on two copies of a notebook without LMS times (Canvas, Moodle); ``python -m
autograder.grade`` and ``autograder.intake.collect`` keep the newest and go on.
"""

import os

from nbgrader.plugins import FileNameCollectorPlugin
from nbgrader.utils import find_all_notebooks
from traitlets import Unicode

from ..roster.gradebook import class_list
from .classify import Candidate, Classifier
from .result import TIME_FORMAT
from .scan import FoundFile


def _files(root):
    """Every file below ``root`` (the receipts among them give Blackboard's zones)."""
    out = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            out.append(FoundFile(os.path.relpath(path, root), path, 0.0))
    return out


class LmsCollector(FileNameCollectorPlugin):
    """A FileNameCollectorPlugin that needs no ``named_regexp``: see the module doc."""

    lms_timezone = Unicode(
        "",
        help="Time zone of the times in Blackboard's file names (its server's zone), where "
        "no receipt states one; '': UTC, with a warning.",
    ).tag(config=True)

    _classifier = None

    def _classify(self, path):
        app = self.parent
        if self._classifier is None:
            course = app.coursedir
            release = course.format_path(course.release_directory, ".", course.assignment_id)
            notebooks = [n[:-6] for n in find_all_notebooks(release)]
            roster = class_list(course.db_url)
            root = app._format_collect_path(app.extracted_directory)
            self._classifier = Classifier(
                notebooks, roster, self.lms_timezone or None, receipts=_files(root)
            )
        root = app._format_collect_path(app.extracted_directory)
        logical = os.path.relpath(path, root).replace(os.sep, "/")
        return self._classifier(FoundFile(logical, path, os.path.getmtime(path)))

    def collect(self, submitted_file):
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            return None
        outcome = self._classify(submitted_file)
        if not isinstance(outcome, Candidate):
            self.log.warning("Skipped %s: %s", submitted_file, outcome.reason)
            return None
        if outcome.student in self._classifier.utc_fallback:
            self.log.warning("%s: %s", submitted_file, outcome.note)
        info = {"student_id": outcome.student, "file_id": outcome.notebook}
        if outcome.timestamp:
            info["timestamp"] = outcome.timestamp.strftime(TIME_FORMAT)
        return info
