"""Set up (or bring up to date) a deployment of the course on this server. Run as root.

    python -m deploy.setup [--root DIR] [--students a,b,c] [--instructors x] ...

Idempotent: accounts are created if missing, environments rebuilt only when what they
are built from changed, the course directory created once and never overwritten.
Settings given on the command line are saved in <root>/deployment.json for the hub.
"""

import argparse
import os
import sys

from autograder.roster.model import Roster

from . import accounts, course, environments, hub_secrets, jupyter_config
from .layout import DEFAULT_ROOT, Deployment

# What deploy/lti.py and deploy.lti_grades need to know of the LMS (its registration page).
LTI_SETTINGS = ("issuer", "client_id", "deployment_id", "authorize_url", "jwks_url", "token_url")


def trial_password(dep):
    """The shared password of the trial's accounts, created once (hub/, root only)."""
    return hub_secrets.trial_password(dep)


def check_login(dep):
    """SystemExit, before anything is built, if the chosen login lacks what it needs."""
    if dep.auth == "lti":
        missing = [k for k in LTI_SETTINGS if not dep.lti.get(k)]
        if missing:
            raise SystemExit(
                "--auth lti needs the LMS's registration: "
                + ", ".join(f"--lti-{k.replace('_', '-')}" for k in missing)
                + " (or --auth trial for a trial with a shared password)"
            )
        if not os.path.exists(dep.roster_file):
            raise SystemExit("--auth lti needs the class roster: --roster students.csv")
    elif dep.auth != "trial":
        raise SystemExit(f"--auth {dep.auth}: choose lti or trial")
    if bool(dep.ssl_cert) != bool(dep.ssl_key):
        raise SystemExit("--ssl-cert and --ssl-key go together")


def hub_state(dep):
    """hub/ (root 0700) and what it keeps across restarts; what the chosen login needs."""
    os.makedirs(dep.hub_dir, mode=0o700, exist_ok=True)
    os.chmod(dep.hub_dir, 0o700)
    hub_secrets.cookie_secret(dep)
    hub_secrets.proxy_token(dep)
    if dep.auth == "trial":
        hub_secrets.trial_password(dep)
    else:
        hub_secrets.lti_tool_key(dep)


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
    check_login(dep)
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
    hub_state(dep)
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
    _login_options(p)
    args = vars(p.parse_args(argv))
    dep = Deployment.load_or_default(args.pop("root"))
    roster = args.pop("roster")
    if roster:
        hub_secrets.install_roster(dep, roster)
        if args["students"] is None:  # the class is the roster
            args["students"] = sorted(Roster.read_csv(roster).students)
    lti = {k: args.pop(f"lti_{k}") for k in (*LTI_SETTINGS, "staff")}
    dep.lti = {**dep.lti, **{k: v for k, v in lti.items() if v is not None}}
    for key, value in args.items():
        if value is not None:
            setattr(dep, key, value)
    return dep


def _login_options(p):
    p.add_argument(
        "--auth",
        choices=("lti", "trial"),
        help="lti: LTI 1.3 launch from the LMS (a real term, the default); "
        "trial: one shared password (make hub)",
    )
    p.add_argument("--ssl-cert", help="the hub's TLS certificate (PEM)")
    p.add_argument("--ssl-key", help="its private key (PEM)")
    p.add_argument("--roster", help="class roster CSV (id, lms_user_id, ...): copied to hub/")
    for key in LTI_SETTINGS:
        p.add_argument(f"--lti-{key.replace('_', '-')}", help=f"the LMS platform's {key}")
    p.add_argument(
        "--lti-staff",
        type=lambda text: dict(pair.split("=", 1) for pair in _names(text)),
        help="instructors and TAs: LMS user id=account,... (e.g. 42=alice,43=bob)",
    )


def main(argv=None):
    dep = run(parse(argv))
    print(f"deployment ready in {dep.root} (settings: {dep.settings_file})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
