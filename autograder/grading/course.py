"""The nbgrader course directory the pipeline works in, and how it runs nbgrader."""

import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile

from ..paths import ASSIGNMENT, tool_env, venv_bin
from .sandbox import NOBODY, Limits

KERNEL_NAME = "rnn-grading-sandbox"


class Course:
    """Paths of an nbgrader course (nbgrader_config.py, source/, release/ ...) and the
    pipeline's own working directory ``<course>/grading``."""

    def __init__(self, root, assignment=ASSIGNMENT):
        self.root = os.path.abspath(root)
        self.assignment = assignment
        if not os.path.exists(os.path.join(self.root, "nbgrader_config.py")):
            raise FileNotFoundError(f"{self.root} has no nbgrader_config.py: not a course")
        self.work = os.path.join(self.root, "grading")

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    @property
    def db_file(self):
        return self.path("gradebook.db")

    @property
    def db_url(self):
        return f"sqlite:///{self.db_file}"

    def submitted(self, student=None):
        return self.path("submitted", *([student, self.assignment] if student else []))

    def autograded(self, student):
        return self.path("autograded", student, self.assignment)

    def feedback(self, student):
        return self.path("feedback", student, self.assignment)

    def release_dir(self):
        return self.path("release", self.assignment)

    def notebooks(self):
        """Names (without .ipynb) of the assignment's notebooks, in order."""
        return sorted(n[:-6] for n in os.listdir(self.release_dir()) if n.endswith(".ipynb"))

    # ------------------------------------------------------------------ nbgrader

    def env(self, extra=None):
        env = tool_env(extra)
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        return env

    def nbgrader(self, *args, env=None, timeout=None, memory_bytes=None):
        """Run nbgrader in the course directory; return the CompletedProcess."""

        def limit():
            if memory_bytes:
                resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

        cmd = [os.path.join(venv_bin(), "nbgrader"), *args]
        try:
            return subprocess.run(
                cmd,
                cwd=self.root,
                env=self.env(env),
                capture_output=True,
                text=True,
                timeout=timeout,
                preexec_fn=limit,
            )
        except subprocess.TimeoutExpired as e:
            return subprocess.CompletedProcess(
                cmd, -9, e.stdout or "", f"timed out after {timeout} s"
            )

    def ensure_assignment(self):
        """Make sure the gradebook knows the assignment (nbgrader generate_assignment)."""
        from nbgrader.api import Gradebook, MissingEntry

        if os.path.exists(self.db_file):
            with Gradebook(self.db_url) as gb:
                try:
                    gb.find_assignment(self.assignment)
                    return False
                except MissingEntry:
                    pass
        result = self.nbgrader("generate_assignment", self.assignment, "--force")
        if result.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment failed:\n{result.stderr[-3000:]}")
        return True

    # ------------------------------------------------------------------ the sandbox kernel

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

    def prepare_sandbox(self, limits=None, workers=1):
        """Write the kernelspec and the launcher's config; return per-worker settings."""
        limits = limits or Limits()
        jupyter = os.path.join(self.work, "jupyter")
        spec_dir = os.path.join(jupyter, "kernels", KERNEL_NAME)
        os.makedirs(spec_dir, exist_ok=True)
        with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
            json.dump(
                {
                    "argv": [
                        sys.executable,
                        "-m",
                        "autograder.grading.kernel_launcher",
                        "{connection_file}",
                    ],
                    "display_name": "RNN course grading sandbox",
                    "language": "python",
                    "interrupt_mode": "message",
                },
                f,
                indent=1,
            )
        results = os.path.join(self.work, "results")
        os.makedirs(results, exist_ok=True)
        config = os.path.join(self.work, "launcher.json")
        with open(config, "w") as f:
            json.dump(
                {
                    "results_dir": results,
                    "secret": self.secret(),
                    "assignment": self.assignment,
                    "limits": limits.__dict__,
                },
                f,
            )
        os.chmod(config, 0o600)
        # Unix socket paths are limited to 107 bytes: the kernels' sockets live in a short
        # private directory under /tmp, not below the (possibly deep) course directory.
        base = tempfile.mkdtemp(
            prefix="rnn-grading-", dir="/tmp" if os.path.isdir("/tmp") else None
        )
        self.runtime_base = base
        settings = []
        for i in range(workers):
            runtime = os.path.join(base, f"w{i}")
            os.makedirs(runtime)
            if os.geteuid() == 0:
                os.chown(runtime, NOBODY, NOBODY)
            os.chmod(runtime, 0o700)
            settings.append(
                {
                    "env": {"JUPYTER_PATH": jupyter, "RNN_GRADING_CONFIG": config},
                    "args": [
                        f"--Execute.kernel_name={KERNEL_NAME}",
                        f"--Execute.timeout={limits.cell_seconds}",
                        "--KernelManager.transport=ipc",
                        f"--KernelManager.ip={os.path.join(runtime, 'ipc')}",
                    ],
                }
            )
        return settings, results

    def cleanup_sandbox(self):
        base = getattr(self, "runtime_base", None)
        if base:
            shutil.rmtree(base, ignore_errors=True)
