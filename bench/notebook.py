"""Benchmark: notebook 5, executed whole, however the kernel's environment sets BLAS threads.

    python -m bench.notebook        (the last part of make bench)

Runs source/rnn/05_memorization.ipynb (it loads notebooks 1-4 from disk) in a fresh
kernel three ways, interleaved: the BLAS thread variables unset, set to 1, and unset with
the course's own limit lifted (RNN_COURSE_BLAS_THREADS=all), which is what every way of
starting JupyterLab but `make lab` gave before helpers limited the threads itself.
Prints the wall times and the seeded result of each run; records the times for the README.
"""

import argparse
import json
import os
import re
import shutil
import tempfile
import time

import nbclient
import nbformat

from authoring.claims import record_measured
from course.paths import SOURCE_DIR, tool_env

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
WAYS = {
    "threads_unset": {},
    "threads_1": {name: "1" for name in THREAD_VARIABLES},
    "unlimited": {"RNN_COURSE_BLAS_THREADS": "all"},
}


def kernel_env(extra):
    env = tool_env()
    for name in THREAD_VARIABLES + ("RNN_COURSE_BLAS_THREADS",):
        env.pop(name, None)
    env.update(extra)
    return env


def run_notebook_5(extra_env, timeout=900):
    """Execute notebook 5 in a scratch copy of source/rnn; return (seconds, printed result)."""
    with tempfile.TemporaryDirectory() as tmp:
        course = os.path.join(tmp, "rnn")
        shutil.copytree(SOURCE_DIR, course)
        nb = nbformat.read(os.path.join(course, "05_memorization.ipynb"), as_version=4)
        client = nbclient.NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": course}}
        )
        t0 = time.perf_counter()
        client.execute(env=kernel_env(extra_env))
        seconds = time.perf_counter() - t0
    return seconds, training_result(nb)


def training_result(nb):
    """The line notebook 5's training cell prints: steps and accuracy, seeded."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            found = re.search(
                r"steps: \d+ +accuracy on 2000 fresh sequences: [\d.]+", output.get("text", "")
            )
            if found:
                return found.group(0)
    raise RuntimeError("notebook 5 printed no training result")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    times = {way: [] for way in WAYS}
    results = {}
    for _ in range(args.rounds):
        for way, extra in WAYS.items():
            seconds, results[way] = run_notebook_5(extra)
            times[way].append(seconds)
            print(f"  {way:14s} {seconds:6.1f} s   {results[way]}")
    best = {way: min(t) for way, t in times.items()}
    record_measured(**{f"notebook_5_seconds_{way}": s for way, s in best.items()})
    same = results["threads_unset"] == results["threads_1"]
    print(
        json.dumps(
            {
                "benchmark": "notebook_5",
                "seconds": best,
                "results": results,
                "same_result_unset_and_1": same,
            }
        )
    )


if __name__ == "__main__":
    main()
