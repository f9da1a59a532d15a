"""Benchmark: time per submission and the speedup of parallel grading.

    python -m autograder.bench_grading [--students 20] [--workers 1 2]   (make bench-grading)

Grades the same batch of complete, correct submissions (the reference answers in the
released notebooks) in a scratch copy of the course, once per worker count, through
the full pipeline (sandbox, judge, feedback, export). Prints a table and one JSON line.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from .paths import ROOT, tool_env


def make_submissions(folder, n):
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import grading_fixtures as fx

    files = fx.full()
    for i in range(n):
        dest = os.path.join(folder, f"student{i:02d}", "rnn")
        os.makedirs(dest)
        for name, nb in files.items():
            with open(os.path.join(dest, name), "w") as f:
                json.dump(nb, f)


def grade(submissions, workers):
    with tempfile.TemporaryDirectory() as tmp:
        course = os.path.join(tmp, "course")
        os.makedirs(course)
        shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), course)
        for d in ("source", "release"):
            shutil.copytree(os.path.join(ROOT, d), os.path.join(course, d))
        env = tool_env({"OPENBLAS_NUM_THREADS": "1"})
        t0 = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "autograder.grade",
                submissions,
                "--course",
                course,
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - t0
        if result.returncode != 0:
            raise SystemExit(result.stderr[-3000:])
        with open(os.path.join(course, "grading", "summary.json")) as f:
            totals = [r["total"] for r in json.load(f)["results"]]
    return seconds, totals


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=20)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = p.parse_args(argv)
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        make_submissions(tmp, args.students)
        for w in args.workers:
            seconds, totals = grade(tmp, w)
            assert totals == [30.0] * args.students, totals
            runs[w] = seconds
            print(
                f"  {w} worker(s): {seconds:7.1f} s for {args.students} submissions, "
                f"{seconds / args.students:.2f} s per submission"
            )
    base = runs[min(runs)]
    result = {
        "benchmark": "grading",
        "students": args.students,
        "cpus": os.cpu_count(),
        "seconds": {str(w): round(s, 1) for w, s in runs.items()},
        "seconds_per_submission": {str(w): round(s / args.students, 2) for w, s in runs.items()},
        "speedup": {str(w): round(base / s, 2) for w, s in runs.items()},
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
