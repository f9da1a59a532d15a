"""System accounts: one per hub user and one for the grader (useradd, idempotent).

JupyterHub's LocalProcessSpawner starts each single-user server as its user's own
system account, so students are kept apart by the kernel (separate uids, homes with
mode 0700) before the sandbox (deploy/spawner.py) hides everything else. The accounts
have no password and no login shell: they exist to own files and processes; people
log in through the hub's authenticator only.
"""

import os
import pwd
import subprocess

NOLOGIN = "/usr/sbin/nologin"
COMMENT = "RNN course on JupyterHub"


class AccountError(RuntimeError):
    pass


def exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def uid(name):
    return pwd.getpwnam(name).pw_uid


def ensure_user(name, home):
    """Create ``name`` with home ``home`` (mode 0700) unless it exists; return its pwd entry.

    An existing account is kept as it is, but must have that home: a mismatch means the
    name is taken by someone else, which is an error, not something to repair.
    """
    if exists(name):
        entry = pwd.getpwnam(name)
        if os.path.realpath(entry.pw_dir) != os.path.realpath(home):
            raise AccountError(
                f"user {name} exists with home {entry.pw_dir}, not {home}: "
                "choose other names (see deploy/README.md)"
            )
    else:
        os.makedirs(os.path.dirname(home), mode=0o755, exist_ok=True)
        subprocess.run(
            [
                "useradd",
                "--home-dir",
                home,
                "--create-home",
                "--user-group",
                "--shell",
                NOLOGIN,
                "--comment",
                COMMENT,
                name,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        entry = pwd.getpwnam(name)
    if not os.path.isdir(home):
        os.makedirs(home)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    os.chmod(home, 0o700)
    return entry


def remove_user(name):
    """Delete the account (and its private group), not its files. No error if absent."""
    if exists(name):
        subprocess.run(["userdel", name], check=True, capture_output=True, text=True)
