"""One grading kernel: ipykernel in the sandbox, its judge outside, its resources its own.

The grading worker (a local process or a Dask worker) starts every kernel itself,
through a KernelManager whose command is the bubblewrap sandbox around ipykernel. The
judge of the kernel's session runs in the worker process, on a Unix socket in the
kernel's runtime directory; it is the only place where the reference is used, and it
records the verdicts in memory, where the sandbox cannot reach.

Per kernel: a runtime directory (a tmpfs of limited size when grading runs as root)
holding the connection file, the kernel's sockets, its IPython profile (which caps
each cell's output) and its /tmp; a cgroup (isolation.py); the worker's uid.
"""

import atexit
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec

from course.paths import ROOT

from . import isolation, sandbox
from .judge_server import JudgeServer, JudgeSession

# The IPython startup file of every grading kernel: cap each cell's output.
STARTUP = "from autograder.harness.output_cap import install\n\ninstall({limit})\n"

# ipykernel_launcher without the debugger: nobody debugs a graded notebook, and importing
# debugpy was a quarter of each kernel's start (start and stop 0.30 -> 0.22 CPU-s,
# measured). ipykernel leaves its debugger out when debugpy cannot be imported.
LAUNCH = (
    "import sys\n"
    "sys.modules['debugpy'] = None\n"
    "from ipykernel.kernelapp import launch_new_instance\n"
    "launch_new_instance()\n"
)

_counter = itertools.count()


_base = None


def runtime_base():
    """This process's directory for kernel runtimes (short: Unix socket paths are limited
    to 107 bytes). Under /run when root, so it is never below a kernel's own /tmp.
    Removed when the process ends; what a killed worker left is removed by the next."""
    global _base
    if _base is None or not os.path.isdir(_base):
        if isolation.is_root() and os.path.isdir("/run"):
            parent = os.path.join("/run", "rnn-grading")
            _remove_stale(parent)
            _base = os.path.join(parent, str(os.getpid()))
            os.makedirs(_base, mode=0o755, exist_ok=True)
        else:
            _base = tempfile.mkdtemp(prefix="rnn-grading-")
        atexit.register(_remove, _base)
    return _base


def _remove(base):
    """Unmount the kernels' tmpfs left below ``base``, then delete it."""
    if os.path.isdir(base):
        for name in os.listdir(base):
            if name.startswith("k") and os.path.ismount(os.path.join(base, name)):
                isolation.unmount(os.path.join(base, name))
        shutil.rmtree(base, ignore_errors=True)


def _remove_stale(parent):
    """Runtime directories of grading processes that no longer exist."""
    if not os.path.isdir(parent):
        return
    for name in os.listdir(parent):
        if name.isdigit() and not os.path.exists(f"/proc/{name}"):
            _remove(os.path.join(parent, name))


class SandboxKernelManager(AsyncKernelManager):
    """A KernelManager for ipykernel in the sandbox, reached over Unix sockets (the
    sandbox has no network), interrupted by message (signals do not cross bubblewrap's
    PID namespace), with a connection file the kernel's own user can read."""

    def setup(self, command, owner):
        self.owner = owner
        self._kernel_spec = KernelSpec(
            argv=command,
            display_name="RNN course grading sandbox",
            language="python",
            interrupt_mode="message",
        )
        return self

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.owner is not None:
            os.chown(self.connection_file, self.owner, self.owner)


class GradingKernel:
    """Everything one kernel needs, set up by ``open`` and torn down by ``close``."""

    def __init__(self, workdir, limits, salt, student, uid, run="run", notebook=None):
        self.workdir, self.limits, self.uid, self.run = workdir, limits, uid, run
        # The judge serves the tests of the notebook this kernel runs, and no other: the
        # grader names it here, the kernel's requests cannot choose it.
        self.session = JudgeSession(
            salt=salt,
            record_path=None,
            student=student,
            notebook=notebook,
            cpu_seconds=limits.judge_cpu_seconds,
        )
        self.runtime = os.path.join(runtime_base(), f"k{next(_counter)}")
        self.mounted = False
        self.cgroup = None
        self.server = None

    def open(self):
        os.makedirs(self.runtime, mode=0o700)
        self.mounted = self.uid is not None and isolation.mount_tmpfs(
            self.runtime, self.limits.tmp_bytes, self.uid
        )
        startup = os.path.join(self.runtime, "ipython", "profile_default", "startup")
        os.makedirs(startup)
        os.makedirs(os.path.join(self.runtime, "tmp"))
        with open(os.path.join(startup, "00-grading.py"), "w") as f:
            f.write(STARTUP.format(limit=self.limits.output_bytes_per_cell))
        if self.uid is not None:
            for d, dirs, files in os.walk(self.runtime):
                for name in [d] + [os.path.join(d, x) for x in dirs + files]:
                    os.chown(name, self.uid, self.uid)
        self.cgroup = isolation.KernelCgroup.create(
            f"{os.path.basename(self.runtime)}-{os.getpid()}", self.limits, self.run
        )
        self.server = JudgeServer(self.judge_socket, self.session).start()
        return self

    @property
    def judge_socket(self):
        return os.path.join(self.runtime, "judge.sock")

    def manager(self):
        """The KernelManager that starts this kernel in the sandbox."""
        spec = sandbox.SandboxSpec(
            submission_dir=self.workdir,
            runtime_dir=self.runtime,
            uid=self.uid,
            private_tmp=self.mounted,
            env=self._env(),
            tmp_bytes=self.limits.tmp_bytes,
            processes=self.limits.processes,
        )
        connection = os.path.join(self.runtime, "connection.json")
        command = sandbox.kernel_command(
            spec,
            [sys.executable, "-c", LAUNCH, "-f", connection],
            # nbclient adds --HistoryManager.hist_file=:memory:
        )
        km = SandboxKernelManager(
            transport="ipc", ip=os.path.join(self.runtime, "ipc"), connection_file=connection
        )
        return km.setup(command, self.uid)

    def launch_options(self):
        """What the KernelManager passes to Popen: where, and the limits and cgroup to
        enter before the sandbox starts."""
        quiet = None if os.environ.get("RNN_SANDBOX_DEBUG") else subprocess.DEVNULL
        return {
            "cwd": self.workdir,
            "env": {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            "preexec_fn": sandbox.apply_limits(self.limits, self.cgroup),
            "stdout": quiet,
            "stderr": quiet,
        }

    def _env(self):
        return {
            "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
            "HOME": "/tmp",
            "IPYTHONDIR": os.path.join(self.runtime, "ipython"),
            "MPLCONFIGDIR": "/tmp/matplotlib",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "NBGRADER_EXECUTION": "autograde",
            "RNN_JUDGE_SOCKET": self.judge_socket,
            # The course's own helpers and harness, as bound into the sandbox, whatever
            # way the course is installed in the venv.
            "PYTHONPATH": ROOT,
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def stop_everything(self):
        """Kill the kernel and whatever it started (the whole-notebook time limit)."""
        if self.cgroup is not None:
            self.cgroup.kill()

    def close(self):
        if self.server is not None:
            self.server.stop()
        if self.cgroup is not None:
            self.cgroup.remove()
        if self.mounted:
            isolation.unmount(self.runtime)
        shutil.rmtree(self.runtime, ignore_errors=True)


def kill_process_tree(km):
    """SIGKILL the sandbox process of ``km`` (its kernel dies with it: --die-with-parent)."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None:
        with contextlib.suppress(OSError):
            os.kill(process.pid, signal.SIGKILL)
