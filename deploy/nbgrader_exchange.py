"""nbgrader's release_feedback, for feedback written by the course's grading pipeline.

Installed into the grader's environment as ``rnn_hub_exchange`` and selected with
``c.ExchangeFactory.release_feedback`` (deploy/jupyter_config.py), so both
``nbgrader release_feedback`` and the formgrader's "release feedback" button use it.

Why: release_feedback publishes each page under a hash of the submission's secret,
read from ``feedback/<student>/<assignment>/submission_secret.txt``; the student's
fetch_feedback recomputes that hash from the copy of the secret ``nbgrader submit``
kept in their home. nbgrader's own autograde carries the secret from submitted/ to
autograded/ to feedback/. The pipeline (autograder/grading/intake.py) rebuilds
submitted/ from normalized notebooks and timestamp.txt only, so the secret is gone
and release_feedback stops with FileNotFoundError. This class first puts it back from
where nbgrader left it: submitted/ (if still there) or the student's own submission in
the exchange's inbound directory with the same timestamp.
"""

import glob
import os
import pwd
import re

from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback

SECRET = "submission_secret.txt"


class ReleaseFeedback(ExchangeReleaseFeedback):
    def copy_files(self):
        self.restore_secrets()
        super().copy_files()

    def _feedback_dirs(self):
        """{student: feedback folder} of the assignment being released (as nbgrader's)."""
        coursedir = self.coursedir
        regexp = re.compile(coursedir.format_path(
            coursedir.feedback_directory, "(?P<student_id>[^/]+)", coursedir.assignment_id,
            escape=True) + "$")
        found = {}
        for path in glob.glob(coursedir.format_path(
                coursedir.feedback_directory, coursedir.student_id or "*",
                coursedir.assignment_id)):
            match = regexp.match(path)
            if match and os.path.isdir(path):
                found[match.group("student_id")] = path
        return found

    def restore_secrets(self):
        for student, folder in self._feedback_dirs().items():
            if os.path.exists(os.path.join(folder, SECRET)):
                continue
            try:
                with open(os.path.join(folder, "timestamp.txt")) as f:
                    timestamp = f.read().strip()
            except OSError:
                continue  # not from an exchange submission: nothing to release
            secret = self._find_secret(student, timestamp)
            if secret is None:
                self.log.warning("No submission secret for %s (%s): their feedback cannot "
                                 "be released through the exchange", student, timestamp)
                continue
            with open(os.path.join(folder, SECRET), "w") as f:
                f.write(secret)
            self.log.info("Restored the submission secret of %s (%s)", student, timestamp)

    def _find_secret(self, student, timestamp):
        submitted = self.coursedir.format_path(self.coursedir.submitted_directory, student,
                                               self.coursedir.assignment_id)
        secret = _read_secret(submitted, timestamp)
        if secret is not None:
            return secret
        inbound = os.path.join(self.root, self.coursedir.course_id, "inbound")
        prefix = f"{student}+{self.coursedir.assignment_id}+{timestamp}"
        try:
            owner = pwd.getpwnam(student).pw_uid
        except KeyError:
            return None
        for name in sorted(os.listdir(inbound)) if os.path.isdir(inbound) else []:
            path = os.path.join(inbound, name)
            # Students may write to inbound: only the student's own folder counts.
            if (name == prefix or name.startswith(prefix + "+")) and \
                    os.stat(path).st_uid == owner:
                secret = _read_secret(path, timestamp)
                if secret is not None:
                    return secret
        return None


def _read_secret(folder, timestamp):
    """The secret in ``folder`` if its timestamp.txt is ``timestamp``, else None."""
    try:
        with open(os.path.join(folder, "timestamp.txt")) as f:
            if f.read().strip() != timestamp:
                return None
        with open(os.path.join(folder, SECRET)) as f:
            return f.read()
    except OSError:
        return None
