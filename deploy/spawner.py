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
"""

import os
import pwd
import shutil

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode, default

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
