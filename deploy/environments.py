"""The two Python environments of a deployment, built with uv from the pinned constraints.

- The students' environment (``env/``) is installed from the student bundle
  (``python -m authoring.bundle``): numpy, matplotlib, JupyterLab, nbgrader, ipywidgets,
  the ``helpers`` package and, for the single-user server, JupyterHub. It never contains
  ``autograder/``: the reference solution and the hidden tests are not in the bundle.
- The grader's environment (``grader/venv``) has the same packages plus the instructor
  code, installed *editable* from ``grader/instructor``: the grading sandbox shows a
  kernel the venv but only ``helpers/`` and ``autograder/harness`` of the code, so the
  reference must stay outside the venv (autograder/grading/sandbox.py).

Both use Debian's python3.11, which every account may run, and are owned by root: no
account that runs student code can change them. Each is built once: a stamp records a
hash of what it was built from, and it is rebuilt only when that changes. uv installs
from its cache (hard links where it can), so a rebuild takes seconds, not minutes.
"""

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAMP = ".rnn-course-built"
# What the instructor copy of the repository holds (pyproject.toml names README.md).
INSTRUCTOR_FILES = (
    "course",
    "autograder",
    "authoring",
    "helpers",
    "pyproject.toml",
    "README.md",
    "constraints.txt",
)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")
# Installed into both environments: the course's nbgrader exchange classes
# ({module name: source}).
EXCHANGE_MODULES = {
    "rnn_hub_exchange": os.path.join(REPO, "deploy", "nbgrader_exchange.py"),
    "rnn_hub_collect": os.path.join(REPO, "deploy", "nbgrader_collect.py"),
}


class BuildError(RuntimeError):
    pass


def _uv():
    # The dev venv's uv (pyproject's dev extra), else one on PATH.
    here = os.path.join(os.path.dirname(sys.executable), "uv")
    found = here if os.path.exists(here) else shutil.which("uv")
    if not found:
        raise BuildError("uv not found: run `make venv` (it is a dev dependency)")
    return found


def _run(cmd, **kwargs):
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1")
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, **kwargs)
    if result.returncode != 0:
        raise BuildError(
            f"{' '.join(cmd)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result


def fingerprint(*paths):
    """sha256 over the names and contents of files (directories recursively)."""
    h = hashlib.sha256()
    for path in paths:
        files = (
            [path]
            if os.path.isfile(path)
            else sorted(
                os.path.join(d, f)
                for d, dirs, names in os.walk(path)
                for f in names
                if "__pycache__" not in d and not f.endswith(".pyc")
            )
        )
        for name in files:
            h.update(os.path.relpath(name, REPO).encode() + b"\0")
            with open(name, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def _is_current(env, key):
    try:
        with open(os.path.join(env, STAMP)) as f:
            return f.read().strip() == key
    except OSError:
        return False


def _create(env, python, requirements, constraints):
    """A fresh venv at ``env`` with ``requirements`` installed (uv, bytecode compiled:
    nobody who uses it may write __pycache__ there)."""
    shutil.rmtree(env, ignore_errors=True)
    uv = _uv()
    _run([uv, "venv", "--quiet", "--python", python, env])
    _run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            os.path.join(env, "bin", "python"),
            "--compile-bytecode",
            "-c",
            constraints,
            *requirements,
        ]
    )


def _stamp(env, key):
    with open(os.path.join(env, STAMP), "w") as f:
        f.write(key + "\n")


def site_packages(env):
    (found,) = glob.glob(os.path.join(env, "lib", "python3*", "site-packages"))
    return found


def install_exchange_module(env):
    for module, source in EXCHANGE_MODULES.items():
        shutil.copy(source, os.path.join(site_packages(env), module + ".py"))


def student_env(dep):
    """Build the students' environment from the bundle, unless it is current."""
    from authoring import bundle

    key = (
        fingerprint(
            os.path.join(REPO, "constraints.txt"),
            os.path.join(REPO, "pyproject.toml"),
            os.path.join(REPO, "helpers"),
            __file__,
        )
        + dep.python
    )
    if _is_current(dep.student_env, key):
        install_exchange_module(dep.student_env)
        return False
    with tempfile.TemporaryDirectory() as tmp:
        folder, _ = bundle.build(os.path.join(tmp, "bundle"), archive=False)
        # A regular (not editable) install: the bundle is gone afterwards.
        _create(
            dep.student_env,
            dep.python,
            [folder, "jupyterhub"],
            os.path.join(folder, "constraints.txt"),
        )
    install_exchange_module(dep.student_env)
    _stamp(dep.student_env, key)
    return True


def sync_instructor_code(dep):
    """Copy the instructor code into the grader's home (root-owned, read-only to it)."""
    dest = dep.instructor_code
    os.makedirs(dest, mode=0o755, exist_ok=True)
    for name in INSTRUCTOR_FILES:
        src, dst = os.path.join(REPO, name), os.path.join(dest, name)
        if os.path.isdir(src):
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(src, dst, ignore=IGNORE)
        else:
            shutil.copy(src, dst)


def grader_env(dep):
    """Build the grader's environment (instructor code editable), unless it is current."""
    sync_instructor_code(dep)
    key = (
        fingerprint(
            os.path.join(REPO, "constraints.txt"), os.path.join(REPO, "pyproject.toml"), __file__
        )
        + dep.python
        + dep.instructor_code
    )
    built = False
    if not _is_current(dep.grader_env, key):
        _create(
            dep.grader_env,
            dep.python,
            ["-e", dep.instructor_code, "jupyterhub"],
            os.path.join(dep.instructor_code, "constraints.txt"),
        )
        _stamp(dep.grader_env, key)
        built = True
    install_exchange_module(dep.grader_env)
    # The instructor code is read-only to the grader: compile it now, once.
    _run(
        [
            os.path.join(dep.grader_env, "bin", "python"),
            "-m",
            "compileall",
            "-q",
            dep.instructor_code,
        ]
    )
    return built


def build_all(dep, log=print):
    """Both environments, side by side (uv mostly waits for the disk)."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        student, grader = pool.submit(student_env, dep), pool.submit(grader_env, dep)
        built = {"students'": student.result(), "grader's": grader.result()}
    for name, fresh in built.items():
        log(f"{name} environment: {'built' if fresh else 'up to date'}")
    if any(built.values()):
        log(f"environments ready in {time.perf_counter() - t0:.1f} s")
