"""The spawner that keeps students apart: each server as its own account, in a sandbox.

JupyterHub's LocalProcessSpawner already starts every single-user server as the user's
system account, so the kernel keeps students out of each other's 0700 homes. That is
not enough on a machine where other things are world-readable - a checkout of this
repository, with the reference solution, often is. So the server (and every kernel and
terminal it starts) runs in a bubblewrap sandbox in which only these exist:

    /usr, /etc (and the /bin, /lib links)     read-only: the system
    <deployment>/env                          read-only: the students' Python environment
    <deployment>/exchange                     read-write: nbgrader's exchange (its modes
                                              decide what a student may do there)
    the user's home                           read-write
    /tmp, /dev, /proc                         private to this server

The course directory, the grader's home, the repository and other homes are not
there at all. The network is shared: the server must reach the hub and the proxy.
bubblewrap runs as the user (an unprivileged user namespace); it is the same tool the
grading pipeline uses for kernels (autograder/grading/sandbox.py).

Stopping a server ends its sandbox: the hub signals bubblewrap, and the PID namespace
takes every process of that server with it (no orphaned kernels).

Each server also runs in its own cgroup with a memory, CPU and process cap
(deploy/limits.py; ``mem_limit``, ``cpu_limit``, ``pids_limit``), so that one student's
fork bomb or memory bomb stays that student's problem. Where cgroups cannot be made,
``require_cgroups = False`` falls back to per-uid rlimits, which guarantee less.
"""

import os
import pwd
import shutil

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Bool, Integer, Unicode, default

from . import limits as resource_limits

SYSTEM_LINKS = ("bin", "lib", "lib64", "lib32", "libx32", "sbin")


def sandbox_command(home, environment, exchange, bwrap="bwrap"):
    """bubblewrap's command line (up to ``--``) for a server with this home."""
    args = [
        bwrap,
        "--unshare-user",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "rnn-course",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for name in SYSTEM_LINKS:
        path = os.path.join("/", name)
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    args += [
        "--ro-bind",
        "/etc",
        "/etc",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        # after the /tmp tmpfs: a deployment below /tmp (the tests) stays visible
        "--ro-bind",
        environment,
        environment,
        "--bind",
        exchange,
        exchange,
        "--bind",
        home,
        home,
        "--chdir",
        home,
        "--setenv",
        "HOME",
        home,
        "--",
    ]
    return args


class SandboxedSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that starts ``jupyterhub-singleuser`` inside bubblewrap."""

    environment_dir = Unicode(help="the students' Python environment (read-only)").tag(config=True)
    exchange_dir = Unicode(help="nbgrader's exchange (read-write)").tag(config=True)

    @default("cmd")
    def _default_cmd(self):
        home = pwd.getpwnam(self.user.name).pw_dir
        bwrap = shutil.which("bwrap") or "/usr/bin/bwrap"
        return sandbox_command(home, self.environment_dir, self.exchange_dir, bwrap) + [
            os.path.join(self.environment_dir, "bin", "jupyterhub-singleuser")
        ]

    # --- per-student limits (deploy/limits.py) --------------------------------------------
    # mem_limit and cpu_limit are JupyterHub's own Spawner traits (which LocalProcessSpawner
    # leaves unenforced); here they are the server's cgroup's caps.

    pids_limit = Integer(
        512, help="processes and threads of one server together (a fork bomb's cap)"
    ).tag(config=True)
    require_cgroups = Bool(
        True,
        help="refuse to start a server without its cgroup; False: per-uid rlimits instead",
    ).tag(config=True)

    @default("mem_limit")
    def _default_mem_limit(self):
        return 2 * 2**30

    @default("cpu_limit")
    def _default_cpu_limit(self):
        return 1.0

    def limits(self):
        return resource_limits.Limits(
            memory=int(self.mem_limit), cpu=float(self.cpu_limit), pids=int(self.pids_limit)
        )

    def cgroup(self):
        """This server's cgroup (a name per user and server: several servers, several groups)."""
        name = self.user.name + (f"-{self.name}" if self.name else "")
        return resource_limits.ServerCgroup(name)

    async def start(self):
        self._cgroup = None
        try:
            self._cgroup = self.cgroup().create(self.limits())
        except OSError as e:
            if self.require_cgroups:
                raise RuntimeError(
                    f"cannot create the cgroup of {self.user.name}'s server ({e}); "
                    "set SandboxedSpawner.require_cgroups = False for rlimits instead"
                ) from e
            self.log.warning("no cgroup for %s (%s): per-uid rlimits only", self.user.name, e)
        return await super().start()

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        group, caps = getattr(self, "_cgroup", None), self.limits()

        def preexec():  # in the child, still root: join the cgroup, then become the user
            if group is not None:
                group.join()
            else:
                resource_limits.set_rlimits(caps)
            become_user()

        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        try:  # a fork bomb's children may outlive the sandbox's init: end them too
            self.cgroup().remove()
        except OSError as e:
            self.log.warning("could not remove the cgroup of %s: %s", self.user.name, e)
