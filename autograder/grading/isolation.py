"""What keeps one student's kernel from hurting another's: a uid per worker, a control
group per kernel, a size-limited filesystem per kernel.

Resource limits (``setrlimit``) are per process, except ``RLIMIT_NPROC``, which counts
every process of the *user*: with one shared uid, a fork bomb would use up the process
budget of every kernel graded at that moment. So each grading worker claims a uid of
its own (a lock file per uid, held for the worker's life), and where control groups can
be created (cgroup v1 controllers, or a delegated cgroup v2 subtree), each kernel gets
its own: at most so many processes, so much memory (tmpfs included) and one CPU's
worth of time, with an equal share of a contended CPU. Its writable places (its /tmp,
its sockets) live on a tmpfs of limited size, so a disk filler fills only that.

Everything here degrades gracefully: without root there is no uid switch, no cgroup and
no private mount; the rlimits remain, and the sandbox keeps the process limit and the
size of /tmp (sandbox.py; ``describe()`` says what is in force).
"""

import ctypes
import fcntl
import os
import signal
import time

CGROUP_ROOT = "/sys/fs/cgroup"
V1_CONTROLLERS = ("pids", "memory", "cpu")
# Kernels run as uids no account uses: far above the ranges Debian gives to people
# (1000-59999), system services (100-999, 60000-65533) and systemd's dynamic users.
UID_BASE = int(os.environ.get("RNN_GRADING_UID_BASE", "1900000000"))
UID_COUNT = 4096
LOCK_DIR = "/tmp/rnn-grading-uids"
MNT_DETACH = 2


def is_root():
    return os.geteuid() == 0


# ------------------------------------------------------------------ a uid per worker

_claimed = None  # (uid, open lock file) of this process


def claim_uid():
    """A uid for this worker process's kernels, unique on this machine (None unless root).

    The claim is an exclusive lock on ``LOCK_DIR/<uid>.lock``, released when the process
    ends, so two workers (local or Dask, on the same machine) never share a uid.
    """
    global _claimed
    if not is_root():
        return None
    if _claimed is not None:
        return _claimed[0]
    os.makedirs(LOCK_DIR, mode=0o700, exist_ok=True)
    for uid in range(UID_BASE, UID_BASE + UID_COUNT):
        f = open(os.path.join(LOCK_DIR, f"{uid}.lock"), "w")  # noqa: SIM115 (held open)
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        _claimed = (uid, f)
        return uid
    raise RuntimeError(f"no free grading uid in {UID_BASE}..{UID_BASE + UID_COUNT}")


# ------------------------------------------------------------------ a cgroup per kernel


def _own_cgroups():
    """{controller or "": path of this process's cgroup} from /proc/self/cgroup."""
    out = {}
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for c in controllers.split(",") if controllers else [""]:
                    out[c] = path
    except OSError:
        pass
    return out


def _write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


class KernelCgroup:
    """One kernel's control group(s): created with limits, joined by the kernel's first
    process before it runs anything (see ``join``), emptied and removed at the end."""

    def __init__(self, dirs, version):
        self.dirs, self.version = dirs, version

    @classmethod
    def create(cls, name, limits, run="run"):
        """A new cgroup with ``limits`` (a sandbox.Limits), or None where none can be made.

        Kernels are grouped per grading run (``rnn-grading/<run>/<kernel>``): the CPU is
        shared equally between runs first, then between the kernels of a run, so one
        run's eight workers do not starve another run's two on the same machine."""
        if not is_root():
            return None
        own = _own_cgroups()
        v1 = [c for c in V1_CONTROLLERS if os.path.isdir(os.path.join(CGROUP_ROOT, c))]
        try:
            if len(v1) == len(V1_CONTROLLERS):
                return cls._create_v1(name, limits, own, run)
            if os.path.exists(os.path.join(CGROUP_ROOT, "cgroup.controllers")):
                return cls._create_v2(name, limits, own, run)
        except OSError:
            return None
        return None

    @staticmethod
    def _remove_stale(parent, version):
        """Groups left by grading processes that were killed (named ``...-<pid>``)."""
        if not os.path.isdir(parent):
            return
        for name in os.listdir(parent):
            pid = name.rsplit("-", 1)[-1]
            if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
                KernelCgroup([os.path.join(parent, name)], version).remove()

    @classmethod
    def _create_v1(cls, name, limits, own, run):
        dirs = []
        try:
            for c in V1_CONTROLLERS:
                parent = os.path.join(
                    CGROUP_ROOT, c, own.get(c, "/").lstrip("/"), "rnn-grading", run
                )
                cls._remove_stale(parent, 1)
                os.makedirs(os.path.join(parent, name))
                dirs.append(os.path.join(parent, name))
            pids, memory, cpu = dirs
            _write(os.path.join(pids, "pids.max"), limits.processes)
            _write(os.path.join(memory, "memory.limit_in_bytes"), limits.cgroup_memory_bytes)
            _write(os.path.join(cpu, "cpu.cfs_period_us"), 100_000)
            _write(os.path.join(cpu, "cpu.cfs_quota_us"), int(100_000 * limits.cpus))
        except OSError:
            cls(dirs, 1).remove()
            raise
        return cls(dirs, 1)

    @classmethod
    def _create_v2(cls, name, limits, own, run):
        top = os.path.join(CGROUP_ROOT, own.get("", "/").lstrip("/"), "rnn-grading")
        parent = os.path.join(top, run)
        os.makedirs(parent, exist_ok=True)
        cls._remove_stale(parent, 2)
        for d in (top, parent):
            _write(os.path.join(d, "cgroup.subtree_control"), "+pids +memory +cpu")
        d = os.path.join(parent, name)
        os.makedirs(d)
        group = cls([d], 2)
        try:
            _write(os.path.join(d, "pids.max"), limits.processes)
            _write(os.path.join(d, "memory.max"), limits.cgroup_memory_bytes)
            _write(os.path.join(d, "cpu.max"), f"{int(100_000 * limits.cpus)} 100000")
        except OSError:
            group.remove()
            raise
        return group

    def join(self):
        """Move the calling process into the group (from the kernel's preexec_fn: every
        process the kernel starts is born inside it)."""
        pid = str(os.getpid())
        for d in self.dirs:
            _write(os.path.join(d, "cgroup.procs"), pid)

    def _pids(self):
        pids = set()
        for d in self.dirs:
            try:
                with open(os.path.join(d, "cgroup.procs")) as f:
                    pids |= {int(p) for p in f.read().split()}
            except OSError:
                pass
        return pids

    def kill(self):
        """SIGKILL every process left in the group (fork bombs included)."""
        for _ in range(50):
            pids = self._pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def remove(self):
        self.kill()
        for d in self.dirs:
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


# ------------------------------------------------------------------ a small private tmpfs

_libc = None


def _mount_calls():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def mount_tmpfs(path, size_bytes, uid):
    """Mount a tmpfs of ``size_bytes`` owned by ``uid`` on ``path``; False if not possible."""
    if not is_root():
        return False
    options = f"size={size_bytes},mode=0700,uid={uid},gid={uid}".encode()
    libc = _mount_calls()
    return libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, options) == 0


def unmount(path):
    _mount_calls().umount2(path.encode(), MNT_DETACH)


def describe(limits):
    """One line on the isolation in force here, for the grading log."""
    if not is_root():
        return (
            "isolation: rlimits per kernel, processes and /tmp capped in its sandbox "
            "(not root: no uid per worker, no cgroups)"
        )
    probe = KernelCgroup.create(f"probe-{os.getpid()}", limits)
    if probe is None:
        return "isolation: a uid per worker and rlimits per kernel (no usable cgroups)"
    version = probe.version
    probe.remove()
    return f"isolation: a uid per worker, a cgroup v{version} per kernel (pids, memory, cpu)"
