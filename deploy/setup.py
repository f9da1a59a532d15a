"""Set up (or bring up to date) a deployment of the course on this server. Run as root.

    python -m deploy.setup [--root DIR] [--students a,b,c] [--instructors x] ...

Idempotent: accounts are created if missing, environments rebuilt only when what they
are built from changed, the course directory created once and never overwritten.
Settings given on the command line are saved in <root>/deployment.json for the hub.
"""

import argparse
import os
import secrets
import sys

from . import accounts, course, environments, jupyter_config
from .layout import DEFAULT_ROOT, Deployment


def trial_password(dep):
    """The shared password of the trial's accounts, created once (hub/, root only)."""
    os.makedirs(dep.hub_dir, mode=0o700, exist_ok=True)
    os.chmod(dep.hub_dir, 0o700)
    if not os.path.exists(dep.password_file):
        fd = os.open(dep.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(12) + "\n")
    with open(dep.password_file) as f:
        return f.read().strip()


def run(dep, log=print):
    """Everything a deployment needs before JupyterHub starts."""
    if os.geteuid() != 0:
        raise SystemExit(
            "deploy.setup must run as root: it creates system accounts, and "
            "JupyterHub starts each user's server as that user"
        )
    if not dep.kernel_socket_fits():
        raise SystemExit(
            f"deployment root {dep.root} is too long: the formgrader's kernels' Unix "
            f"sockets in {dep.grader_runtime} would exceed 107 bytes; choose a shorter root"
        )
    os.umask(0o022)
    os.makedirs(dep.root, exist_ok=True)
    os.chmod(dep.root, 0o755)
    dep.save()
    accounts.ensure_user(dep.grader, dep.grader_home)
    for user in dep.hub_users:
        accounts.ensure_user(user, dep.home(user))
    environments.build_all(dep, log=log)
    course.course_directory(dep)
    course.exchange(dep)
    jupyter_config.student_config(dep)
    jupyter_config.grader_config(dep)
    trial_password(dep)
    return dep


def _names(text):
    return [n.strip() for n in text.split(",") if n.strip()]


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--root",
        default=os.environ.get("RNN_COURSE_ROOT", DEFAULT_ROOT),
        help=f"deployment root (default: $RNN_COURSE_ROOT or {DEFAULT_ROOT})",
    )
    p.add_argument("--students", type=_names, help="comma-separated account names")
    p.add_argument("--instructors", type=_names, help="comma-separated account names")
    p.add_argument("--grader", help="the account that owns the course and runs the formgrader")
    p.add_argument("--home-base", help="where the hub users' homes are created (default /home)")
    for name in ("hub-ip", "hub-port", "hub-api-port", "proxy-api-port", "formgrader-port"):
        p.add_argument(f"--{name}", type=str if name == "hub-ip" else int)
    # per-student limits and idle culling (deploy/README.md, "Limits and idle servers")
    p.add_argument("--mem-limit", help="memory of each student server, e.g. 2G")
    p.add_argument("--cpu-limit", type=float, help="cores of each student server")
    p.add_argument("--pids-limit", type=int, help="processes and threads of each server")
    p.add_argument("--idle-timeout", type=int, help="seconds before an idle server stops")
    args = p.parse_args(argv)
    dep = Deployment.load_or_default(args.root)
    for key, value in vars(args).items():
        if key != "root" and value is not None:
            setattr(dep, key, value)
    return dep


def main(argv=None):
    dep = run(parse(argv))
    print(f"deployment ready in {dep.root} (settings: {dep.settings_file})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
