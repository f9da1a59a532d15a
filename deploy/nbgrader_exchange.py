"""The course's two changes to nbgrader's default exchange (deploy/jupyter_config.py).

Installed into both environments as the module ``rnn_hub_exchange`` and selected with
``c.ExchangeFactory.submit`` (students) and ``c.ExchangeFactory.release_feedback``
(grader), so the lab extension's Submit button, the formgrader's buttons and the
command line all use them. The course's collect is in deploy/nbgrader_collect.py.

Submit: nbgrader leaves a submission world-readable (files 0644, folder 0777) in
inbound/. Inbound cannot be listed, so another student needs the folder's random name
- but the name is the only barrier. Here the submission is made readable and writable
by its owner and the course's group only: inbound/ is setgid and owned by the grader
(deploy/course.py), so each submission belongs to the grader's group; nobody else can
open it, even knowing its name.

ReleaseFeedback: release_feedback publishes each page under a hash of the submission's
secret, read from ``feedback/<student>/<assignment>/submission_secret.txt``; the
student's fetch_feedback recomputes that hash from the copy of the secret ``nbgrader
submit`` kept in their home. nbgrader's own autograde carries the secret from
submitted/ to autograded/ to feedback/, but a feedback folder can lack it (a submission
collected from a download rather than through the exchange, or feedback made again
after autograded/ was replaced), and then release_feedback stops with
FileNotFoundError. This class first puts it back from where nbgrader left it:
submitted/ (if still there) or the student's own submission in inbound/ with the same
timestamp.
"""

import glob
import os
import pwd
import re
import shutil

from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.exchange.default.submit import ExchangeSubmit

SECRET = "submission_secret.txt"
SUBMISSION_FILE_MODE = 0o640  # owner rw, the course's group (the grader) r
SUBMISSION_DIR_MODE = 0o770


class Submit(ExchangeSubmit):
    def copy_files(self):
        super().copy_files()
        submission = os.path.join(self.inbound_path, self.assignment_filename)
        _regroup(submission)
        self.set_perms(submission, fileperms=SUBMISSION_FILE_MODE, dirperms=SUBMISSION_DIR_MODE)


def _regroup(folder):
    """Copy ``folder`` afresh in place, so that every file gets its parent's group.

    A new file in a setgid folder belongs to the folder's group, and inbound/ is setgid
    with the grader's group. But nbgrader's copytree ends by giving the submission the
    mode of the student's own folder, which drops the setgid bit, so the files written
    after it (timestamp.txt, submission_secret.txt) get the student's group - and a
    student cannot chgrp to a group they are not in.
    """
    staging = folder + ".staging"
    os.rename(folder, staging)
    os.mkdir(folder)  # setgid and the grader's group, from inbound/
    for source, dirs, files in os.walk(staging):
        target = os.path.join(folder, os.path.relpath(source, staging))
        for name in dirs:
            os.mkdir(os.path.join(target, name))
        for name in files:
            shutil.copyfile(os.path.join(source, name), os.path.join(target, name))
    shutil.rmtree(staging)


class ReleaseFeedback(ExchangeReleaseFeedback):
    def copy_files(self):
        self.restore_secrets()
        super().copy_files()

    def _feedback_dirs(self):
        """{student: feedback folder} of the assignment being released (as nbgrader's)."""
        coursedir = self.coursedir
        regexp = re.compile(
            coursedir.format_path(
                coursedir.feedback_directory,
                "(?P<student_id>[^/]+)",
                coursedir.assignment_id,
                escape=True,
            )
            + "$"
        )
        found = {}
        for path in glob.glob(
            coursedir.format_path(
                coursedir.feedback_directory, coursedir.student_id or "*", coursedir.assignment_id
            )
        ):
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
                self.log.warning(
                    "No submission secret for %s (%s): their feedback cannot "
                    "be released through the exchange",
                    student,
                    timestamp,
                )
                continue
            with open(os.path.join(folder, SECRET), "w") as f:
                f.write(secret)
            self.log.info("Restored the submission secret of %s (%s)", student, timestamp)

    def _find_secret(self, student, timestamp):
        submitted = self.coursedir.format_path(
            self.coursedir.submitted_directory, student, self.coursedir.assignment_id
        )
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
            if (name == prefix or name.startswith(prefix + "+")) and os.stat(path).st_uid == owner:
                secret = _read_secret(path, timestamp)
                if secret is not None:
                    return secret
        return None


def _read_secret(folder, timestamp):
    """The secret in ``folder`` if its timestamp.txt is ``timestamp``, else None."""
    try:
        if _read_file(os.path.join(folder, "timestamp.txt")).strip() != timestamp:
            return None
        return _read_file(os.path.join(folder, SECRET))
    except (OSError, UnicodeDecodeError):
        return None


def _read_file(path):
    """The text of ``path``, never through a symbolic link: a student's folder in inbound/
    could hold a link to a file only the grader may read."""
    with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), encoding="utf-8") as f:
        return f.read()
