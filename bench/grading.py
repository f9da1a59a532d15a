"""Benchmark: what grading costs against plainly running the same notebooks, and how it scales.

    python -m bench.grading [--students 20]        (make bench-grading)

One invocation measures, on this machine:
  - plain execution: the five notebooks of a complete submission (hidden tests included,
    judged in the kernel), run one after the other with nbclient and an ordinary kernel;
  - the pipeline with 1 worker on ``--students`` complete submissions: the cost per
    submission (the grading phase divided by the students), its ratio to plain
    execution, and the fixed cost of the run (setup, export, summary);
  - the same with 2 workers: the speedup, of the grading phase and of the whole run, and
    what a CPU model predicts for it: with as many workers as cores, the coordinator's own
    work per student (recording, r) shares the cores with the workers' execution (e), so
    about cores x e / (e + r) (e is wall time and includes a kernel's waits, which two
    workers overlap: the measured speedup can exceed it);
  - a pathological submission (an endless loop at the top of the first answer of every
    notebook) against a complete one, each graded alone: the ratio of their costs;
  - a throughput model: students per hour against workers, measured (1, 2) and projected
    (execution spread over the workers, capped by what the one coordinator can record).
Prints a table and one JSON line, and records the figures the README quotes
(authoring/claims/values.json). Timings are printed, never asserted.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from authoring.claims import record_measured
from course.paths import ROOT, tool_env

PROJECTED = (4, 8, 16, 32, 64, 128)


def _fixtures():
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import grading_fixtures

    return grading_fixtures


def write_class(folder, students):
    """{student: {file: notebook}} -> nbgrader's layout under ``folder``."""
    for student, files in students.items():
        dest = os.path.join(folder, student, "rnn")
        os.makedirs(dest)
        for name, nb in files.items():
            with open(os.path.join(dest, name), "w") as f:
                json.dump(nb, f)


def make_course(tmp, profile=None):
    course = tempfile.mkdtemp(prefix="course-", dir=tmp)
    shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), course)
    for d in ("source", "release"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(course, d))
    if profile:
        os.makedirs(os.path.join(course, "grading"))
        shutil.copy(profile, os.path.join(course, "grading", "timing.json"))
    return course


def grade(course, submissions, workers):
    """One pipeline run; returns (wall seconds, grading/run.json, {student: total})."""
    t0 = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "autograder.grade", submissions, "--course", course]
        + ["--workers", str(workers), "--all"],
        cwd=ROOT,
        env=tool_env({"OPENBLAS_NUM_THREADS": "1"}),
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - t0
    if result.returncode != 0:
        raise SystemExit(result.stdout[-2000:] + result.stderr[-3000:])
    with open(os.path.join(course, "grading", "run.json")) as f:
        run = json.load(f)
    with open(os.path.join(course, "grading", "summary.json")) as f:
        totals = {r["student"]: r["total"] for r in json.load(f)["results"]}
    return seconds, run, totals


def plain_execution(repeat=2):
    """Seconds to run the five complete notebooks plainly (the floor of any grader)."""
    import nbformat
    from nbclient import NotebookClient

    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as d:
            for name in sorted(os.listdir(os.path.join(ROOT, "source", "rnn"))):
                if name.endswith(".ipynb"):
                    shutil.copy(os.path.join(ROOT, "source", "rnn", name), d)
            t0 = time.perf_counter()
            for name in sorted(n for n in os.listdir(d) if n.endswith(".ipynb")):
                nb = nbformat.read(os.path.join(d, name), as_version=4)
                NotebookClient(
                    nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": d}}
                ).execute()
            times.append(time.perf_counter() - t0)
    return min(times)


def calibrated_profile(tmp, fx):
    """Time the reference once (the profile every scratch course then shares)."""
    course = make_course(tmp)
    folder = tempfile.mkdtemp(dir=tmp)
    write_class(folder, {"warmup": fx.full()})
    t0 = time.perf_counter()
    grade(course, folder, 1)
    print(
        f"  reference timing + one submission (once per course version): "
        f"{time.perf_counter() - t0:.1f} s"
    )
    return os.path.join(course, "grading", "timing.json")


def measure_class(tmp, fx, profile, students, workers):
    folder = tempfile.mkdtemp(dir=tmp)
    write_class(folder, {f"student{i:03d}": fx.full() for i in range(students)})
    seconds, run, totals = grade(make_course(tmp, profile), folder, workers)
    assert set(totals.values()) == {30.0}, totals
    grading = run["phases"]["grading"]
    return {
        "seconds": seconds,
        "grading": grading,
        "fixed": seconds - grading,
        "per_submission": grading / students,
        "execute": sum(s["execute"] for s in run["per_student"].values()) / students,
        "record": sum(s["record"] for s in run["per_student"].values()) / students,
    }


def measure_pathological(tmp, fx, profile):
    """Seconds of work for a complete and for a hanging submission, each graded alone."""
    out = {}
    for student, files in (("complete", fx.full()), ("hanging", fx.hang_everywhere())):
        folder = tempfile.mkdtemp(dir=tmp)
        write_class(folder, {student: files})
        _, run, totals = grade(make_course(tmp, profile), folder, 1)
        cost = run["per_student"][student]
        out[student] = {"seconds": cost["execute"] + cost["record"], "total": totals[student]}
    return out


def throughput(one, two):
    """Students per hour against workers: measured for 1 and 2, projected beyond."""
    rows = [(w, 3600 / m["per_submission"], "measured") for w, m in ((1, one), (2, two))]
    ceiling = 3600 / max(one["record"], 1e-9)
    for w in PROJECTED:
        rows.append((w, min(w * 3600 / one["execute"], ceiling), "projected"))
    return rows, ceiling


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=20)
    args = p.parse_args(argv)
    fx = _fixtures()
    with tempfile.TemporaryDirectory() as tmp:
        plain = plain_execution()
        print(f"  plain execution of the five notebooks: {plain:.1f} s")
        profile = calibrated_profile(tmp, fx)
        one = measure_class(tmp, fx, profile, args.students, 1)
        two = measure_class(tmp, fx, profile, args.students, 2)
        patho = measure_pathological(tmp, fx, profile)
    report(args.students, plain, one, two, patho)


def report(students, plain, one, two, patho):
    ratio = one["per_submission"] / plain
    speedup = one["grading"] / two["grading"]
    speedup_wall = one["seconds"] / two["seconds"]
    bound = 2 * one["execute"] / (one["execute"] + one["record"])
    patho_ratio = patho["hanging"]["seconds"] / patho["complete"]["seconds"]
    rows, ceiling = throughput(one, two)
    print(
        f"  {students} complete submissions, 1 worker: {one['seconds']:.1f} s; "
        f"per submission {one['per_submission']:.2f} s = {ratio:.2f} x plain execution "
        f"(execution {one['execute']:.2f} s, recording {one['record']:.2f} s, overlapped)"
    )
    print(f"  fixed cost of a run (setup, export, summary): {one['fixed']:.1f} s")
    print(
        f"  2 workers: {two['seconds']:.1f} s; speedup {speedup:.2f} (grading phase), "
        f"{speedup_wall:.2f} (whole run); CPU model 2e/(e+r) = {bound:.2f}"
    )
    print(
        f"  pathological (hangs in every notebook): {patho['hanging']['seconds']:.1f} s "
        f"vs {patho['complete']['seconds']:.1f} s complete = {patho_ratio:.2f} x "
        f"(scores {patho['hanging']['total']:g} and {patho['complete']['total']:g})"
    )
    print("  throughput (students per hour):")
    for w, rate, kind in rows:
        print(f"    {w:4d} worker(s): {rate:8.0f}  {kind}")
    print(f"    (one coordinator records at most {ceiling:.0f} students per hour)")
    result = {
        "benchmark": "grading",
        "students": students,
        "cpus": os.cpu_count(),
        "plain_seconds": round(plain, 2),
        "per_submission_seconds": round(one["per_submission"], 2),
        "ratio_to_plain": round(ratio, 2),
        "fixed_seconds": round(one["fixed"], 1),
        "speedup_2_workers": round(speedup, 2),
        "speedup_2_workers_whole_run": round(speedup_wall, 2),
        "speedup_model_2_cores": round(bound, 2),
        "pathological_ratio": round(patho_ratio, 2),
        "students_per_hour": {str(w): round(r) for w, r, _ in rows},
    }
    print(json.dumps(result))
    record_measured(
        grading_plain_seconds=plain,
        grading_seconds_per_submission=one["per_submission"],
        grading_ratio_to_plain=ratio,
        grading_execute_seconds=one["execute"],
        grading_record_seconds=one["record"],
        grading_fixed_seconds=one["fixed"],
        grading_speedup_2_workers=speedup,
        grading_speedup_2_workers_whole_run=speedup_wall,
        grading_speedup_model_2_cores=bound,
        grading_pathological_ratio=patho_ratio,
        grading_students_per_hour_1=rows[0][1],
        grading_students_per_hour_2=rows[1][1],
        grading_students_per_hour_ceiling=ceiling,
    )
    return result


if __name__ == "__main__":
    main()
