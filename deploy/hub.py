"""Set up the deployment and run JupyterHub in the foreground (``make hub``). Run as root.

    python -m deploy.hub [--root DIR] [deploy.setup's options]

JupyterHub runs from this repository's venv with deploy/jupyterhub_config.py, in
<root>/hub (its database and secrets), and stops with Ctrl-C (it stops the servers,
the formgrader service and the proxy with it).
"""

import os
import sys

from . import hub_secrets, setup

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "jupyterhub_config.py")


def command(dep):
    """(argv, env, cwd) that start this deployment's JupyterHub."""
    jupyterhub = os.path.join(os.path.dirname(sys.executable), "jupyterhub")
    env = dict(os.environ, RNN_COURSE_ROOT=dep.root)
    # configurable-http-proxy is a node script (#!/usr/bin/env node).
    env["PATH"] = os.pathsep.join(
        [os.path.dirname(sys.executable), env.get("PATH", ""), "/usr/local/bin", "/usr/bin", "/bin"]
    )
    return [jupyterhub, "-f", CONFIG], env, dep.hub_dir


def banner(dep):
    lines = [
        f"JupyterHub for {dep.course_id}: {dep.hub_url}",
        f"  instructors (formgrader at {dep.hub_url}{dep.formgrader_path}): "
        + ", ".join(dep.instructors),
        f"  students: {', '.join(dep.students)}",
    ]
    if dep.auth == "trial":
        lines += [
            f"  trial password, the same for every account: {hub_secrets.trial_password(dep)}",
            f"  (in {dep.password_file}; deploy/README.md has the production setup)",
        ]
    else:
        lines += [
            f"  login: LTI 1.3 launch from {dep.lti.get('issuer')}",
            f"  (tool: login initiation {dep.hub_url}/hub/lti13/oauth_login, redirect "
            f"{dep.hub_url}/hub/lti13/oauth_callback, public key {dep.lti_jwks_file})",
        ]
    return "\n".join(lines)


def main(argv=None):
    dep = setup.run(setup.parse(argv))
    print(banner(dep), flush=True)
    argv, env, cwd = command(dep)
    os.chdir(cwd)
    # Nothing reads the terminal: with it as stdin, every Jupyter server the hub starts
    # (they inherit it) would answer Ctrl-C with "Shutdown this Jupyter server (y/[n])?"
    # and wait, and stopping the hub would take half a minute.
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.execve(argv[0], argv, env)


if __name__ == "__main__":
    sys.exit(main())
