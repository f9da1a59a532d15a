"""The instructor's nbgrader steps, run as the grader account (from root's shell).

    python -m deploy.instructor [--root DIR] release            generate + release "rnn"
    python -m deploy.instructor due "2026-12-24 17:00:00 UTC"   the due date, in the gradebook
    python -m deploy.instructor collect                         nbgrader collect
    python -m deploy.instructor grade [--workers N]             the hardened pipeline
    python -m deploy.instructor release-feedback                nbgrader release_feedback
    python -m deploy.instructor after-deadline [--workers N]    collect, grade, release feedback

The same steps can be taken in the formgrader (release, collect, release feedback) and
in a terminal of the formgrader service, which runs as the grader account:
``python -m autograder.grade --course ~/course``. Grading always goes through that
pipeline (sandboxed kernels, a trusted judge); never the formgrader's "autograde".
"""

import argparse
import os
import subprocess
import sys

from .layout import DEFAULT_ROOT, Deployment


def as_grader(dep, *argv, timeout=None):
    """Run ``argv`` as the grader, in the course directory, with the grader's Python."""
    path = f"{os.path.join(dep.grader_env, 'bin')}:/usr/local/bin:/usr/bin:/bin"
    cmd = [
        "runuser",
        "-u",
        dep.grader,
        "--",
        "env",
        "-i",
        f"HOME={dep.grader_home}",
        f"USER={dep.grader}",
        f"PATH={path}",
        "LANG=C.UTF-8",
        "OPENBLAS_NUM_THREADS=1",
        "OMP_NUM_THREADS=1",
        *argv,
    ]
    return subprocess.run(cmd, cwd=dep.course_dir, capture_output=True, text=True, timeout=timeout)


def _checked(dep, *argv, timeout=None):
    result = as_grader(dep, *argv, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} (as {dep.grader}) failed with status "
            f"{result.returncode}:\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-6000:]}"
        )
    return result


def release(dep):
    _checked(dep, "nbgrader", "generate_assignment", dep.assignment, "--force")
    return _checked(dep, "nbgrader", "release_assignment", dep.assignment, "--force")


def set_due_date(dep, when):
    """``when``: any date nbgrader reads, e.g. "2026-12-24 17:00:00.000000 UTC"."""
    return _checked(dep, "nbgrader", "db", "assignment", "add", dep.assignment, f"--duedate={when}")


def collect(dep):
    return _checked(dep, "nbgrader", "collect", dep.assignment)


def grade(dep, workers=2, timeout=None):
    # Only through the pipeline's command line: its internals are not ours.
    return _checked(
        dep,
        "python",
        "-m",
        "autograder.grade",
        "--course",
        dep.course_dir,
        "--workers",
        str(workers),
        timeout=timeout,
    )


def release_feedback(dep):
    return _checked(dep, "nbgrader", "release_feedback", dep.assignment)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default=os.environ.get("RNN_COURSE_ROOT", DEFAULT_ROOT))
    sub = p.add_subparsers(dest="step", required=True)
    sub.add_parser("release")
    sub.add_parser("due").add_argument("when")
    sub.add_parser("collect")
    for name in ("grade", "after-deadline"):
        sub.add_parser(name).add_argument("--workers", type=int, default=os.cpu_count() or 1)
    sub.add_parser("release-feedback")
    args = p.parse_args(argv)
    dep = Deployment.load(os.path.abspath(args.root))
    steps = {
        "release": lambda: [release(dep)],
        "due": lambda: [set_due_date(dep, args.when)],
        "collect": lambda: [collect(dep)],
        "grade": lambda: [grade(dep, args.workers)],
        "release-feedback": lambda: [release_feedback(dep)],
        "after-deadline": lambda: [collect(dep), grade(dep, args.workers), release_feedback(dep)],
    }
    for result in steps[args.step]():
        print(result.stdout + result.stderr, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
