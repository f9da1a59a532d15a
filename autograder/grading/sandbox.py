"""The sandbox a student's kernel runs in while it is graded (bubblewrap + limits).

What the student's code sees: the system's programs and libraries read-only, the
Python interpreter and the course's virtual environment read-only, the public
``helpers`` package and the kernel half of the hidden tests (``autograder/harness``)
read-only, its own submission directory read-only, and one private runtime directory
(its sockets, and its /tmp): a small tmpfs of its own when grading runs as root. Nothing
else exists: not source/, not the reference, not gradebook.db, not other students' work.
It has no network (its own network namespace), its own PID namespace, runs as the
grading worker's own unprivileged uid when grading runs as root (isolation.py), and is
held to limits on memory, CPU time, processes and file size; its wall-clock time is
bounded by the executor (execute.py).

Grading without root (the grader account on the hub) keeps the same two caps a kernel
could otherwise exceed: its /tmp is a tmpfs of ``tmp_bytes`` made by bubblewrap, and its
process limit is set inside the sandbox's own user namespace, where the kernel counts
that sandbox's processes only (Linux counts RLIMIT_NPROC per user namespace; set before
the namespace exists, it would count every process of the grader account).
"""

import os
import resource
import shutil
import sys
from dataclasses import dataclass, field

from course.paths import ROOT

from .settings import GradingSandbox, MiB, default

PRLIMIT = "/usr/bin/prlimit"  # util-linux; inside the sandbox, where /usr is the system's


class SandboxUnavailable(RuntimeError):
    pass


def _mib(name):
    return default(GradingSandbox, name) * MiB


@dataclass
class Limits:
    """Resources of one kernel, in the units the kernel applies (time limits are in
    timing.py). The course's options c.GradingSandbox.* (settings.py, in MiB) define
    the defaults and their reasons; ``configured(config)`` reads a course's values."""

    memory_bytes: int = _mib("memory_mb")  # address space (RLIMIT_AS)
    cpu_seconds: int = default(GradingSandbox, "cpu_seconds")  # whole notebook
    processes: int = default(GradingSandbox, "processes")  # per kernel and per worker uid
    file_bytes: int = _mib("file_mb")  # one file
    tmp_bytes: int = _mib("tmp_mb")  # everything the kernel may write (its tmpfs)
    output_bytes_per_cell: int = _mib("output_mb_per_cell")
    cpus: float = default(GradingSandbox, "cpus")  # CPU time per wall-clock second
    cgroup_headroom_bytes: int = _mib("cgroup_headroom_mb")
    judge_cpu_seconds: float = default(GradingSandbox, "judge_cpu_seconds")  # the judge's

    @classmethod
    def configured(cls, config, **fields):
        """The limits a course's config sets (c.GradingSandbox.*); ``fields`` (bytes,
        e.g. ``memory_bytes`` from --memory-mb) override them."""
        s = GradingSandbox(config=config)
        values = dict(
            memory_bytes=s.memory_mb * MiB,
            cpu_seconds=s.cpu_seconds,
            processes=s.processes,
            file_bytes=s.file_mb * MiB,
            tmp_bytes=s.tmp_mb * MiB,
            output_bytes_per_cell=s.output_mb_per_cell * MiB,
            cpus=s.cpus,
            cgroup_headroom_bytes=s.cgroup_headroom_mb * MiB,
            judge_cpu_seconds=s.judge_cpu_seconds,
        )
        return cls(**{**values, **fields})

    @property
    def cgroup_memory_bytes(self):
        """All processes of the kernel together, its tmpfs included. Above the address
        space limit, so that one process running out gets a MemoryError it can handle."""
        return self.memory_bytes + self.cgroup_headroom_bytes


@dataclass
class SandboxSpec:
    submission_dir: str  # the student's notebooks (cwd, read-only)
    runtime_dir: str  # private, writable: connection file, sockets, IPython profile, tmp/
    uid: int | None = None  # run the kernel as this user (grading as root)
    private_tmp: bool = False  # runtime_dir is a size-limited tmpfs with a tmp/ for /tmp
    env: dict = field(default_factory=dict)
    tmp_bytes: int | None = None  # the size of /tmp, when it is not on runtime_dir's tmpfs
    processes: int | None = None  # the process limit, when not root (see the docstring)


def bwrap_path():
    path = shutil.which("bwrap")
    if not path:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed: grading needs it to isolate student code "
            "(Debian/Ubuntu: apt-get install bubblewrap)"
        )
    return path


def _ro_bind_with_parents(args, path, made):
    """Bind ``path`` read-only at the same place, creating world-readable parents."""
    path = os.path.realpath(path)
    parts = path.strip("/").split("/")
    for i in range(1, len(parts)):
        parent = "/" + "/".join(parts[:i])
        if parent not in made and parent not in ("/usr", "/etc", "/tmp"):
            args += ["--perms", "0755", "--dir", parent]
            made.add(parent)
    args += ["--ro-bind", path, path]


def _python_dirs():
    """The interpreter's installation and the virtual environment, as real paths."""
    dirs = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    return sorted(d for d in dirs if not d.startswith("/usr"))


def kernel_command(spec, argv):
    """The command that runs ``argv`` (the kernel) inside the sandbox."""
    args = [
        bwrap_path(),
        "--die-with-parent",
        "--new-session",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--hostname",
        "grading-sandbox",
    ]
    if os.geteuid() != 0:  # unprivileged: bubblewrap needs a user namespace
        args.append("--unshare-user")
    args += _system_dirs()
    args += [
        "--ro-bind",
        "/etc",
        "/etc",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
    ]
    if spec.private_tmp:  # the kernel's /tmp is on its own size-limited tmpfs
        args += ["--bind", os.path.join(os.path.realpath(spec.runtime_dir), "tmp"), "/tmp"]
    else:
        size = ["--size", str(spec.tmp_bytes)] if spec.tmp_bytes else []
        args += ["--perms", "1777", *size, "--tmpfs", "/tmp"]
    made = set()
    for d in _python_dirs():
        _ro_bind_with_parents(args, d, made)
    # The public helpers and the kernel half of the hidden tests, nothing else of the course.
    for rel in ("helpers", "autograder/__init__.py", "autograder/harness"):
        _ro_bind_with_parents(args, os.path.join(ROOT, rel), made)
    _ro_bind_with_parents(args, spec.submission_dir, made)
    runtime = os.path.realpath(spec.runtime_dir)
    for parent in _parents(runtime):
        if parent not in made and parent != "/tmp":
            args += ["--perms", "0755", "--dir", parent]
            made.add(parent)
    args += ["--bind", runtime, runtime, "--chdir", os.path.realpath(spec.submission_dir)]
    args += ["--clearenv"]
    for k, v in sorted(spec.env.items()):
        args += ["--setenv", k, v]
    args.append("--")
    return args + _drop_privileges(spec.uid) + _process_limit(spec) + list(argv)


def _system_dirs():
    """/usr read-only, and the top-level links or directories into it."""
    args = ["--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin", "lib32", "libx32"):
        target = os.path.join("/", link)
        if os.path.islink(target):
            args += ["--symlink", os.readlink(target), target]
        elif os.path.isdir(target):
            args += ["--ro-bind", target, target]
    return args


def _drop_privileges(uid):
    """Switch to the worker's unprivileged user with no capabilities left (as root)."""
    if uid is None:
        return []
    return [
        "/usr/bin/setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
    ]


def _process_limit(spec):
    """Without root, the process limit is set in the sandbox (see the module docstring);
    as root, apply_limits sets it for the worker's own uid."""
    if spec.uid is not None or os.geteuid() == 0 or not spec.processes:
        return []
    if not os.path.exists(PRLIMIT):
        raise SandboxUnavailable(
            f"{PRLIMIT} not found: grading without root needs it to cap a kernel's "
            "processes (Debian/Ubuntu: apt-get install util-linux)"
        )
    return [PRLIMIT, f"--nproc={spec.processes}", "--"]


def _parents(path):
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) for i in range(1, len(parts))]


def apply_limits(limits, cgroup=None):
    """preexec_fn for the sandbox process: its cgroup and resource limits, inherited by
    the kernel and everything it starts."""

    def set_limits():
        if cgroup is not None:
            cgroup.join()
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if os.geteuid() == 0:  # counted per user: the worker's own uid, not ours
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))

    return set_limits


def check_available():
    """Raise SandboxUnavailable unless bwrap can start a process here."""
    import subprocess

    cmd = [
        bwrap_path(),
        "--ro-bind",
        "/",
        "/",
        "--unshare-net",
        "--die-with-parent",
        "--",
        "/bin/true",
    ]
    if os.geteuid() != 0:
        cmd[1:1] = ["--unshare-user"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SandboxUnavailable(
            f"bubblewrap cannot create a sandbox here: {result.stderr.strip()}"
        )
