"""Grading at scale: many workers, hostile neighbours, PostgreSQL, Dask, a re-run.

One class of 13 students (notebooks 1-3, to keep CI short) is graded with 8 workers on
this machine's cores: complete submissions side by side with a fork bomb, a memory hog,
a CPU hog, a disk filler and a hang in every notebook. Some of the same students'
submissions are then graded as a department would run a big class, on a Dask cluster
(a worker killed mid-run) into a private PostgreSQL server, and must get the same grades.
A later run on the first class grades nothing that did not change and touches no file.
(Partial runs, a late resubmission, an instructor's prose fix and nbgrader's late
penalty are test_term.py's, through the instructor's commands over a whole term.)
"""

import json
import os
import shutil
import subprocess
import sys
import time

import grading_fixtures as fx
import pytest
from nbgrader_course import ROOT, env, scratch_course
from points import points, points_of
from services import DaskCluster, Postgres

pytestmark = pytest.mark.slow

NB = [n[:-6] for n in fx.NOTEBOOKS]
HOSTILE = {  # each prints its line (RAN) when it is done
    "fork_bomb": fx.FORK_BOMB,
    "memory_hog": fx.MEMORY_HOG,
    "cpu_hog": fx.CPU_HOG,
    "disk_filler": fx.DISK_FILLER,
}
RAN = {
    "fork_bomb": "fork bomb over",
    "memory_hog": "memory hog done",
    "cpu_hog": "cpu hog started",
    "disk_filler": "disk full after",
}
# 13 students: more than the 8 workers, so that every worker grades side by side with the
# hostile ones and some wait for a free worker.
CLASS = {
    **{f"complete{i:02d}": fx.complete() for i in range(6)},
    "untouched": {n: fx.untouched(n) for n in fx.NOTEBOOKS[:3]},
    "bug_bptt_sign": {n: fx.bug_bptt_sign()[n] for n in fx.NOTEBOOKS[2:3]}
    | {n: fx.student_notebook(n) for n in fx.NOTEBOOKS[:2]},
    "hang_everywhere": fx.hang_everywhere(fx.NOTEBOOKS[:3]),
    **{name: fx.hostile(cell) for name, cell in HOSTILE.items() if name != "cpu_hog"},
    "cpu_hog": fx.hostile(fx.CPU_HOG, index=1),  # spinning while its own notebook runs
}
# Every complete student hands in notebooks 1-3 (COMPLETE points). The bug costs its two
# exercises; a hang in the first answer cell of notebooks 1-3 costs softmax in notebook 1,
# and all of notebooks 2 and 3, whose first answer cell defines the class of all their
# exercises.
COMPLETE = points(*NB[:3])
EXPECTED = {
    "untouched": 0,
    "bug_bptt_sign": COMPLETE - points_of("bptt_relu", "bptt_tanh"),
    "hang_everywhere": points(NB[0]) - points_of("softmax"),
}
SMALL = ["complete00", "untouched", "bug_bptt_sign", "hang_everywhere"]


def write_class(folder, students):
    for student, files in students.items():
        dest = os.path.join(folder, student, "rnn")
        os.makedirs(dest, exist_ok=True)
        for name, nb in files.items():
            with open(os.path.join(dest, name), "w") as f:
                json.dump(nb, f)


def command(course, *args):
    return [sys.executable, "-m", "autograder.grade", *args, "--course", course]


def grade(course, *args, timeout=900):
    result = subprocess.run(
        command(course, *args), cwd=ROOT, env=env(), capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return result


def results(course):
    with open(os.path.join(course, "grading", "summary.json")) as f:
        return {r["student"]: r for r in json.load(f)["results"]}


def grades(result):
    """What must agree between runs: the total and every verdict's pass and points."""
    return result["total"], {
        (nb, ex): (v["passed"], v["points"])
        for nb, e in result["notebooks"].items()
        for ex, v in e["verdicts"].items()
    }


def files_of(course, student):
    """{path: bytes} of everything the pipeline keeps for one student."""
    out = {}
    for top in ("autograded", "feedback", os.path.join("grading", "results")):
        base = os.path.join(course, top)
        for d, _, names in os.walk(base):
            for name in names:
                path = os.path.join(d, name)
                if student in os.path.relpath(path, base).split(os.sep)[0].split(".")[0:1]:
                    with open(path, "rb") as f:
                        out[path] = f.read()
    return out


@pytest.fixture(scope="module")
def scale(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scale")
    course = scratch_course(tmp, gradebook=True)
    incoming = str(tmp / "incoming")
    write_class(incoming, CLASS)
    t0 = time.perf_counter()
    run = grade(course, incoming, "--workers", "8")
    print(f"\n{len(CLASS)} students with 8 workers: {time.perf_counter() - t0:.1f} s")
    print(run.stdout[-8000:])
    return {"course": course, "incoming": incoming, "run": run, "results": results(course)}


def test_eight_workers_grade_everyone_without_lock_errors(scale):
    output = scale["run"].stdout + scale["run"].stderr
    assert "database is locked" not in output and "OperationalError" not in output
    totals = {s: r["total"] for s, r in scale["results"].items()}
    assert set(totals) == set(CLASS)
    for student, total in totals.items():
        assert total == EXPECTED.get(student, COMPLETE), (student, scale["results"][student])


def test_gradebook_holds_the_same_scores(scale):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{os.path.join(scale['course'], 'gradebook.db')}") as gb:
        for student, result in scale["results"].items():
            assert gb.find_submission("rnn", student).score == pytest.approx(result["total"])


def test_hostile_neighbours_cost_nobody_anything(scale):
    for student in HOSTILE:
        result = scale["results"][student]
        assert [result["notebooks"][nb]["status"] for nb in NB[1:3]] == ["graded"] * 2, student
        assert sum(
            v["points"] for nb in NB[1:3] for v in result["notebooks"][nb]["verdicts"].values()
        ) == points(*NB[1:3])


def test_every_hostile_cell_ran_while_its_notebook_was_graded(scale):
    """Grading runs no cell after a notebook's last test: the hostile cells come before,
    and ran (to their end, or until their time limit stopped them on a loaded machine)."""
    from autograder.grading.execute import NOT_RUN

    for student, cell in HOSTILE.items():
        path = os.path.join(scale["course"], "autograded", student, "rnn", fx.NOTEBOOKS[0])
        with open(path) as f:
            cells = json.load(f)["cells"]
        (ran,) = [c for c in cells if "".join(c["source"]) == cell]
        outputs = ran.get("outputs", [])
        printed = "".join("".join(o.get("text", "")) for o in outputs)
        stopped = [o for o in outputs if o.get("ename") == "CellTimeoutError"]
        assert NOT_RUN not in printed and (RAN[student] in printed or stopped), (student, outputs)


def test_a_hang_is_paid_once_and_costs_only_its_exercises(scale):
    result = scale["results"]["hang_everywhere"]
    for nb in NB[:3]:
        assert result["notebooks"][nb]["status"] == "graded"
        assert any("stopped after" in n for n in result["notebooks"][nb]["notes"]), nb
    # notebook 1's other exercises, and its verdicts say "not attempted" nowhere
    nb1 = result["notebooks"][NB[0]]["verdicts"]
    assert not nb1["softmax"]["passed"] and nb1["cross_entropy_loss"]["passed"]
    assert all(v["attempted"] for v in nb1.values())
    # the carry-forward import did not run the hanging cell again
    path = os.path.join(scale["course"], "autograded", "hang_everywhere", "rnn", NB[1] + ".ipynb")
    with open(path) as f:
        text = f.read()
    assert "not run again" in text


def test_untouched_exercises_are_not_attempted(scale):
    verdicts = scale["results"]["untouched"]["notebooks"][NB[0]]["verdicts"]
    assert not any(v["attempted"] for v in verdicts.values())
    assert all(
        v["attempted"]
        for v in scale["results"]["complete00"]["notebooks"][NB[0]]["verdicts"].values()
    )


# ------------------------------------------------------------------ the same, elsewhere


def small_class(tmp, scale):
    course = scratch_course(tmp)
    os.makedirs(os.path.join(course, "grading"))
    shutil.copy(
        os.path.join(scale["course"], "grading", "timing.json"), os.path.join(course, "grading")
    )
    incoming = os.path.join(str(tmp), "incoming")
    write_class(incoming, {s: CLASS[s] for s in SMALL})
    return course, incoming


def test_dask_into_postgresql_gets_the_same_grades_and_survives_a_lost_worker(scale, tmp_path):
    """A Dask cluster grades into a PostgreSQL gradebook (one run for both: what a
    department's big class would use); a worker is killed mid-run."""
    from nbgrader.api import Gradebook

    course, incoming = small_class(tmp_path, scale)
    pg = Postgres().start()
    cluster = DaskCluster(workers=2).start()
    try:
        proc = subprocess.Popen(
            command(course, incoming, "--dask", cluster.address, "--db-url", pg.url),
            cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        done = os.path.join(course, "grading", "results")
        deadline = time.time() + 300
        while not (os.path.isdir(done) and os.listdir(done)) and time.time() < deadline:
            time.sleep(0.2)
        cluster.kill_worker(0)  # mid-run: the other students are still being graded
        output, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, output[-5000:]
        with Gradebook(pg.url) as gb:
            scores = {s: gb.find_submission("rnn", s).score for s in SMALL}
    finally:
        cluster.stop()
        pg.stop()
    assert not os.path.exists(os.path.join(course, "gradebook.db"))
    got = results(course)
    assert set(got) == set(SMALL)
    for s in SMALL:
        assert grades(got[s]) == grades(scale["results"][s]), s
        assert scores[s] == pytest.approx(got[s]["total"])


# ------------------------------------------------------------------ later runs


def test_a_rerun_grades_nothing_that_did_not_change(scale):
    course = scale["course"]
    before = {s: files_of(course, s) for s in CLASS}
    run = grade(course, scale["incoming"])
    assert "grading 0 of the submissions" in run.stdout
    assert {s: files_of(course, s) for s in CLASS} == before
