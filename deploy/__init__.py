"""The course on JupyterHub, for one class on one server (see deploy/README.md).

    python -m deploy.setup [--root DIR]    users, environments, course, exchange (idempotent)
    python -m deploy.hub [--root DIR]      the above, then JupyterHub in the foreground
    python -m deploy.course ...            the instructor's nbgrader steps, as the grader

Everything lives below one deployment root (default /srv/rnn-course); deploy/layout.py
names every path and account in one place.
"""
