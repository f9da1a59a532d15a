"""The nbgrader course directory the pipeline works in, and nbgrader's view of it.

GradingCourse, not Course: the ``course/`` package is the course's content (text,
reference, exercises); this is a directory that nbgrader grades in (``--course``).
"""

import json
import os
import secrets
import subprocess

import nbformat

from course.paths import ASSIGNMENT, tool_env, venv_bin

from .. import coursedir
from . import timing
from .sandbox import Limits


class GradingCourse:
    """Paths of an nbgrader course (nbgrader_config.py, source/, release/ ...), its
    gradebook's URL, its grading options (settings.py), and the pipeline's own working
    directory ``<course>/grading``.

    The folders are nbgrader's: ``CourseDirectory.format_path`` with the folder names the
    course configures (``c.CourseDirectory.submitted_directory = "handed_in"`` and so on),
    so the pipeline reads and writes where ``nbgrader autograde`` would."""

    def __init__(self, root, assignment=ASSIGNMENT, db_url=None):
        self.root = os.path.abspath(root)
        self.assignment = assignment
        if not os.path.exists(os.path.join(self.root, "nbgrader_config.py")):
            raise FileNotFoundError(f"{self.root} has no nbgrader_config.py: not a course")
        self.work = os.path.join(self.root, "grading")
        self._db_url = db_url

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    # ------------------------------------------------------------------ nbgrader's view

    def config(self):
        """nbgrader_config.py of the course, with its root and gradebook fixed."""
        config = coursedir.load_config(self.root)
        config.CourseDirectory.root = self.root
        config.CourseDirectory.assignment_id = self.assignment
        if self._db_url:
            config.CourseDirectory.db_url = self._db_url
        return config

    @property
    def db_url(self):
        """--db-url, else nbgrader_config.py's CourseDirectory.db_url, else gradebook.db."""
        configured = self.config().CourseDirectory.get("db_url")
        return self._db_url or configured or f"sqlite:///{self.path('gradebook.db')}"

    @property
    def directory(self):
        """nbgrader's CourseDirectory of this course (its configured folder names)."""
        if not hasattr(self, "_directory"):
            self._directory = coursedir.directory(self.root, self.config())
        return self._directory

    def folder(self, step):
        """The folder of one nbgrader step: "submitted", "autograded", "feedback",
        "release", "source" (named as the course configures it)."""
        return self.path(coursedir.step_name(self.directory, step))

    def _format(self, step, student):
        name = coursedir.step_name(self.directory, step)
        return os.path.normpath(self.directory.format_path(name, student, self.assignment))

    def submitted(self, student=None):
        """The student's submission (None: the folder of every student's)."""
        return self._format("submitted", student) if student else self.folder("submitted")

    def autograded(self, student):
        return self._format("autograded", student)

    def feedback(self, student):
        return self._format("feedback", student)

    def release_dir(self):
        return self._format("release", ".")

    def source_dir(self):
        return self._format("source", ".")

    def notebooks(self):
        """Names (without .ipynb) of the assignment's notebooks, in order."""
        return sorted(n[:-6] for n in os.listdir(self.release_dir()) if n.endswith(".ipynb"))

    def nbgrader(self, *args, timeout=None):
        """Run an nbgrader command in the course directory; return the CompletedProcess."""
        cmd = [
            os.path.join(venv_bin(), "nbgrader"),
            *args,
            f"--CourseDirectory.db_url={self.db_url}",
        ]
        return subprocess.run(
            cmd, cwd=self.root, env=tool_env(), capture_output=True, text=True, timeout=timeout
        )

    def ensure_assignment(self):
        """Make sure the gradebook knows the assignment and every one of its notebooks
        (nbgrader generate_assignment), as source/ has them now. An assignment added
        without notebooks (`nbgrader db assignment add rnn --duedate=...`, to set the due
        date first) counts as unknown: autograde would fail for every student. A source/
        changed since the gradebook's copy was made (an edited test, then `make release`)
        is generated again: nbgrader grades with the gradebook's copy of the test cells.
        Returns False, "added" or "updated (...)"."""
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.db_url) as gb:
            try:
                known = {nb.name for nb in gb.find_assignment(self.assignment).notebooks}
            except MissingEntry:
                known = set()
        hashes, recorded = self.source_hashes(), self._generated()
        if known and known >= set(self.notebooks()):
            if recorded is None:  # generated before this was recorded: taken as it is
                self._save_generated(hashes)
            if recorded is None or recorded == hashes:
                return False
        result = self.nbgrader("generate_assignment", self.assignment, "--force")
        if result.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment failed:\n{result.stderr[-3000:]}")
        self._save_generated(hashes)
        return "added" if not known else "updated (source/ changed: its tests are the new ones)"

    def _generated(self):
        """{notebook: source hash} the gradebook's copy of the assignment was made from."""
        try:
            with open(os.path.join(self.work, "generated.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _save_generated(self, hashes):
        os.makedirs(self.work, exist_ok=True)
        with open(os.path.join(self.work, "generated.json"), "w") as f:
            json.dump(hashes, f, indent=1)

    # ------------------------------------------------------------------ grading settings

    def secret(self):
        """A per-course secret that seeds the hidden test cases (kept outside the sandbox)."""
        path = os.path.join(self.work, "secret")
        if not os.path.exists(path):
            os.makedirs(self.work, exist_ok=True)
            with open(path, "w") as f:
                f.write(secrets.token_hex(16))
            os.chmod(path, 0o600)
        with open(path) as f:
            return f.read().strip()

    @property
    def profile_path(self):
        return os.path.join(self.work, "timing.json")

    def source_hashes(self):
        """{notebook: hash} of the source notebooks (what a timing profile measured)."""
        out = {}
        for name in self.notebooks():
            path = os.path.join(self.source_dir(), name + ".ipynb")
            if os.path.exists(path):
                out[name] = timing.notebook_hash(nbformat.read(path, as_version=4))
        return out

    def profile(self):
        return timing.load_profile(self.profile_path, self.source_hashes())

    def time_limits(self, **fields):
        """Limits derived from the course's timing profile, with the course's options
        (c.GradingTimes.*); timing.TimeLimits ``fields`` (e.g. a flat ``cell_seconds``)
        override them."""
        return timing.TimeLimits.configured(self.config(), profile=self.profile(), **fields)

    def limits(self, **fields):
        """The sandbox's limits of one kernel, with the course's options
        (c.GradingSandbox.*); sandbox.Limits ``fields`` override them."""
        return Limits.configured(self.config(), **fields)
