"""Per-student limits: each student server in its own cgroup (memory, CPU, processes).

The sandbox (deploy/spawner.py) keeps a student's files apart; this keeps their load
apart. Every server - JupyterLab, its kernels, their terminals and whatever they start -
runs in one cgroup per server, created by the hub (root) before the server starts:

    memory   all its processes together, RAM and the sandbox's tmpfs /tmp included,
             swap included where the kernel accounts it (memsw); past it the kernel's
             OOM killer kills in *that* cgroup only (the largest process: the bomb)
    pids     processes and threads together: a fork bomb gets EAGAIN at the cap
    cpu      a CFS quota (cores); below it every server gets an equal share anyway

The cgroups are children of the hub's own cgroup (``<hub's cgroup>/jupyterhub-servers/
<user>``), so every limit the hub itself runs under still holds for them. Both layouts
are handled: cgroup v2 (one unified hierarchy, ``/sys/fs/cgroup/cgroup.controllers``)
and v1 (one hierarchy per controller, as on this test machine). A process joins its
cgroup in the spawner's preexec function, as root, before bubblewrap starts, and every
descendant inherits it: no namespace of the sandbox can leave it.

Where no cgroup can be created (no root, a read-only /sys/fs/cgroup), ``rlimits`` are the
fallback, and they are weaker: RLIMIT_NPROC counts the processes of the student's uid
(enough against a fork bomb, as each student has their own account), RLIMIT_AS caps each
process's address space, not the server's total (ten kernels may take ten times as
much), and nothing caps CPU beyond ``nice``.
"""

import os
import re
import resource
import signal
import time
from dataclasses import dataclass

CONTROLLERS = ("memory", "pids", "cpu")
BASE = "jupyterhub-servers"
CGROUP_ROOT = "/sys/fs/cgroup"
CFS_PERIOD = 100_000  # microseconds, the kernel's default period

_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_bytes(text):
    """'512M', '2G', '1048576' -> bytes (binary units, as JupyterHub's mem_limit)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(text), re.IGNORECASE)
    if not match:
        raise ValueError(f"not a size: {text!r} (e.g. 512M, 2G)")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


@dataclass(frozen=True)
class Limits:
    """What one server may use: ``memory`` bytes, ``cpu`` cores, ``pids`` tasks."""

    memory: int
    cpu: float
    pids: int

    def __post_init__(self):
        if self.memory <= 0 or self.cpu <= 0 or self.pids <= 0:
            raise ValueError(f"every limit must be positive: {self}")


# --- where the cgroup hierarchies are ---------------------------------------------------------


def _own_paths(pid="self"):
    """{controller: path of ``pid``'s cgroup}; the key "" is the v2 (unified) path."""
    paths = {}
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                paths[name] = path
    return paths


def _v1_mounts():
    """{controller: mount point} of the v1 hierarchies (from /proc/self/mountinfo)."""
    mounts = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            sep = fields.index("-")
            if fields[sep + 1] != "cgroup":
                continue
            for option in fields[sep + 3].split(","):
                if option in CONTROLLERS:
                    mounts[option] = fields[4]
    return mounts


def is_v2():
    return os.path.exists(os.path.join(CGROUP_ROOT, "cgroup.controllers"))


def _write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def _read(path, default=None):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


class ServerCgroup:
    """The cgroup(s) of one server: ``dirs`` is {controller: directory}."""

    def __init__(self, name, hub_pid="self"):
        own = _own_paths(hub_pid)
        self.v2 = is_v2()
        if self.v2:
            base = os.path.join(CGROUP_ROOT, own[""].lstrip("/"), BASE)
            self.bases = {c: base for c in CONTROLLERS}
        else:
            mounts = _v1_mounts()
            missing = [c for c in CONTROLLERS if c not in mounts]
            if missing:
                raise OSError(f"no cgroup v1 hierarchy for {', '.join(missing)}")
            self.bases = {
                c: os.path.join(mounts[c], own.get(c, "/").lstrip("/"), BASE) for c in CONTROLLERS
            }
        self.dirs = {c: os.path.join(base, name) for c, base in self.bases.items()}

    # --- create, join, remove ---------------------------------------------------------------

    def create(self, limits):
        """Make the directories (after ending what an earlier server left) and set limits."""
        self.remove()
        for base in set(self.bases.values()):
            os.makedirs(base, exist_ok=True)
        if self.v2:
            # A v2 parent hands controllers to its children explicitly, and only a cgroup
            # without processes of its own may (the hub's must be delegated to it, e.g.
            # systemd's Delegate=yes, with the hub itself in a leaf): not tested here.
            base = self.bases["memory"]
            for parent in (os.path.dirname(base), base):
                _write(os.path.join(parent, "cgroup.subtree_control"), "+memory +pids +cpu")
        for d in set(self.dirs.values()):
            os.mkdir(d)
        d = self.dirs
        if self.v2:
            _write(os.path.join(d["memory"], "memory.max"), limits.memory)
            _write(os.path.join(d["memory"], "memory.swap.max"), 0)
            _write(os.path.join(d["pids"], "pids.max"), limits.pids)
            _write(
                os.path.join(d["cpu"], "cpu.max"), f"{int(limits.cpu * CFS_PERIOD)} {CFS_PERIOD}"
            )
        else:
            _write(os.path.join(d["memory"], "memory.limit_in_bytes"), limits.memory)
            memsw = os.path.join(d["memory"], "memory.memsw.limit_in_bytes")
            if os.path.exists(memsw):  # RAM + swap: the limit cannot be dodged by swapping
                _write(memsw, limits.memory)
            _write(os.path.join(d["pids"], "pids.max"), limits.pids)
            _write(os.path.join(d["cpu"], "cpu.cfs_period_us"), CFS_PERIOD)
            _write(os.path.join(d["cpu"], "cpu.cfs_quota_us"), int(limits.cpu * CFS_PERIOD))
        return self

    def join(self, pid=0):
        """Move ``pid`` (0: the calling process) into every controller's cgroup."""
        pid = pid or os.getpid()
        for d in set(self.dirs.values()):
            _write(os.path.join(d, "cgroup.procs"), pid)

    def pids(self):
        """Every process still in the server's cgroup."""
        text = _read(os.path.join(self.dirs["pids"], "cgroup.procs"), "")
        return [int(p) for p in text.split()]

    def kill_all(self, timeout=5.0):
        """SIGKILL everything in the cgroup (a fork bomb's children too) until it is empty."""
        deadline = time.monotonic() + timeout
        while (pids := self.pids()) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        return not self.pids()

    def remove(self):
        """End every process left in the cgroup and remove its directories."""
        if not any(os.path.isdir(d) for d in self.dirs.values()):
            return
        self.kill_all()
        for d in set(self.dirs.values()):
            for _ in range(50):  # the last tasks leave asynchronously after SIGKILL
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)

    # --- what the server used --------------------------------------------------------------

    def usage(self):
        """{figure: int} of what the server's processes used (peaks since creation)."""
        d = self.dirs

        def num(controller, name):
            value = _read(os.path.join(d[controller], name))
            return int(value) if value and value.isdigit() else None

        def field(controller, name, key):
            for line in (_read(os.path.join(d[controller], name), "") or "").splitlines():
                k, _, v = line.partition(" ")
                if k == key:
                    return int(v)
            return None

        if self.v2:
            return {
                "pids_current": num("pids", "pids.current"),
                "pids_peak": num("pids", "pids.peak"),
                "pids_refused": field("pids", "pids.events", "max"),
                "memory_peak": num("memory", "memory.peak"),
                "oom_kills": field("memory", "memory.events", "oom_kill"),
                "cpu_throttled": field("cpu", "cpu.stat", "nr_throttled"),
            }
        return {
            "pids_current": num("pids", "pids.current"),
            "pids_peak": num("pids", "pids.peak"),
            "pids_refused": field("pids", "pids.events", "max"),
            "memory_peak": num("memory", "memory.max_usage_in_bytes"),
            "oom_kills": field("memory", "memory.oom_control", "oom_kill"),
            "cpu_throttled": field("cpu", "cpu.stat", "nr_throttled"),
        }


def cgroups_work(hub_pid="self"):
    """Why per-server cgroups cannot be used here, or None (tries one, removes it)."""
    try:
        probe = ServerCgroup(f"probe-{os.getpid()}", hub_pid)
        probe.create(Limits(memory=2**30, cpu=1.0, pids=64))
        probe.remove()
    except OSError as e:
        return f"{type(e).__name__}: {e}"
    return None


# --- the fallback: resource limits of the student's processes -------------------------------


def set_rlimits(limits):
    """In a server's preexec function (before setuid): the weaker per-process caps.

    RLIMIT_NPROC counts every process of the (real) uid, so one student's fork bomb
    stops at ``pids`` - the student's own other servers count too. RLIMIT_AS is per
    process. No CPU quota: the server runs at nice 10 so that interactive work of the hub
    comes first, and a fair share between students is left to the scheduler.
    """
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.pids, limits.pids))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
    os.nice(10)
