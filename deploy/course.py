"""The nbgrader course directory and the exchange, with the modes that keep them apart.

Course directory (``grader/course``, 0700, owned by the grader account): the course's
``nbgrader_config.py`` and ``source/`` (solutions and hidden tests), later gradebook.db,
release/, submitted/, autograded/, feedback/ and the pipeline's grading/. Created once
and then left alone: it holds the class's grades.

Exchange (nbgrader's default exchange, laid out in advance so the modes are ours):

    exchange/                    1777 root     nbgrader requires it writable by all; the
                                               sticky bit stops a student from renaming or
                                               replacing the course's folder
      <course>/                  0755 grader
        outbound/                0755 grader   released assignments: readable by all
        inbound/                 3733 grader   submissions: students may add, not list;
                                               sticky: nor delete another's; setgid: each
                                               submission is in the grader's group, and
                                               0770/0640 (deploy/nbgrader_exchange.py)
        feedback/                0711 grader   released feedback, named by a hash of each
                                               submission's secret: not listable

nbgrader creates these itself with the same modes minus the two sticky bits; it only
checks that an existing folder belongs to whoever releases (the grader).
"""

import os
import pwd
import shutil

from .environments import REPO

EXCHANGE_MODES = {"outbound": 0o755, "inbound": 0o3733, "feedback": 0o711}


def _chown_tree(path, uid, gid):
    os.chown(path, uid, gid)
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)


def course_directory(dep):
    """Create the course directory from the repository, unless it exists."""
    grader = pwd.getpwnam(dep.grader)
    if not os.path.isdir(dep.course_dir):
        os.makedirs(dep.course_dir)
        shutil.copy(os.path.join(REPO, "nbgrader_config.py"), dep.course_dir)
        shutil.copytree(
            os.path.join(REPO, "source"),
            os.path.join(dep.course_dir, "source"),
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
        _chown_tree(dep.course_dir, grader.pw_uid, grader.pw_gid)
    os.chmod(dep.course_dir, 0o700)
    os.makedirs(dep.grader_runtime, exist_ok=True)
    for path in (dep.grader_runtime, dep.grader_home):
        os.chown(path, grader.pw_uid, grader.pw_gid)
        os.chmod(path, 0o700)


def exchange(dep):
    grader = pwd.getpwnam(dep.grader)
    os.makedirs(dep.exchange, exist_ok=True)
    os.chmod(dep.exchange, 0o1777)
    course = os.path.join(dep.exchange, dep.course_id)
    for path, mode in [(course, 0o755)] + [
        (os.path.join(course, name), mode) for name, mode in EXCHANGE_MODES.items()
    ]:
        os.makedirs(path, exist_ok=True)
        os.chown(path, grader.pw_uid, grader.pw_gid)
        os.chmod(path, mode)
