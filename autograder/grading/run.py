"""Grade students in parallel, score from the judge's verdicts, write feedback and export.

Per student (in a pool of workers, one nbgrader process each):
  1. ``nbgrader autograde`` runs every notebook in the sandbox kernel; the judge of
     each kernel session records its verdicts outside the sandbox;
  2. if nbgrader gives up on the student (a kernel died, a notebook timed out), the
     notebooks are graded again one at a time, so only the broken one fails;
  3. the gradebook's score of every test cell is set from the judge's verdict, not
     from what the kernel displayed (which student code can forge);
  4. cells where the two disagree get a note in the feedback.
"""

import concurrent.futures
import glob
import json
import os
import queue
import re
import shutil
import time

import nbformat

from helpers.checks import REGISTRY

from .sandbox import Limits


def _latest_records(results_dir):
    """{notebook: record} from the judge's session files (latest session wins)."""
    latest = {}
    for path in glob.glob(os.path.join(results_dir, "session-*.json")):
        try:
            with open(path) as f:
                record = json.load(f)
        except (OSError, ValueError):
            continue
        nb = record.get("notebook")
        if nb and (nb not in latest or record["started"] >= latest[nb]["started"]):
            latest[nb] = record
    return latest


def _session_events(results_dir):
    events = []
    for path in sorted(glob.glob(os.path.join(results_dir, "session-*.json"))):
        try:
            with open(path) as f:
                record = json.load(f)
        except (OSError, ValueError):
            continue
        events += [(record.get("notebook"), e) for e in record.get("events", [])]
    return events


def _notebook_being_graded(result):
    """The notebook nbgrader was executing when it gave up (from its log), or None."""
    found = re.findall(r"Autograding .*/([^/\s]+)\.ipynb", result.stderr or "")
    return found[-1] if found else None


def _nbgrader_error(result):
    """The most telling line of a failed nbgrader run."""
    lines = [ln for ln in (result.stderr or "").splitlines() if ln.strip()]
    for key in (
        "DeadKernelError",
        "CellTimeoutError",
        "Kernel died",
        "MemoryError",
        "timed out",
        "Error",
    ):
        for ln in reversed(lines):
            if key in ln:
                return ln.strip()[-300:]
    return lines[-1][-300:] if lines else f"nbgrader exited with status {result.returncode}"


def grade_student(course, student, prepared, worker, limits):
    """Run nbgrader for one student in the sandbox; return the student's result dict."""
    t0 = time.perf_counter()
    results_dir = os.path.join(course.work, "results", student)
    shutil.rmtree(results_dir, ignore_errors=True)
    notebooks = course.notebooks()
    submitted = [
        nb
        for nb in notebooks
        if os.path.exists(os.path.join(course.submitted(student), nb + ".ipynb"))
    ]
    per_student_timeout = (len(notebooks) + 1) * (limits.wall_seconds + 30)
    status, fatal = {}, None
    if submitted:
        base = ["autograde", course.assignment, "--student", student, "--force", *worker["args"]]
        result = course.nbgrader(
            *base, env=worker["env"], timeout=per_student_timeout, memory_bytes=8 * 1024**3
        )
        if result.returncode != 0 or not all(
            os.path.exists(os.path.join(course.autograded(student), nb + ".ipynb"))
            for nb in submitted
        ):
            # One broken notebook made nbgrader drop the whole student: grade the notebooks
            # one by one, except one whose kernel was stopped or died (no second chance:
            # it would only die again).
            fatal = _notebook_being_graded(result)
            for nb in submitted:
                if nb == fatal:
                    status[nb] = f"could not be run to the end: {_nbgrader_error(result)}"
                    continue
                one = course.nbgrader(
                    *base,
                    "--notebook",
                    nb,
                    env=worker["env"],
                    timeout=limits.wall_seconds + 60,
                    memory_bytes=8 * 1024**3,
                )
                if one.returncode != 0 or not os.path.exists(
                    os.path.join(course.autograded(student), nb + ".ipynb")
                ):
                    status[nb] = f"could not be run to the end: {_nbgrader_error(one)}"
    else:
        # Nothing gradable: create the student's (empty) submission in the gradebook.
        from nbgrader.api import Gradebook

        with Gradebook(course.db_url) as gb:
            gb.update_or_create_student(student)
            gb.update_or_create_submission(course.assignment, student)

    records = _latest_records(results_dir)
    for nb, event in _session_events(results_dir):
        nb = nb or fatal  # a kernel that died before its first test never learnt its notebook
        if nb in status and event not in status[nb]:
            status[nb] += f" ({event})"
    out = {"student": student, "seconds": round(time.perf_counter() - t0, 2), "notebooks": {}}
    for nb in notebooks:
        checks = sorted((c for c in REGISTRY.values() if c.notebook == nb), key=lambda c: c.id)
        verdicts = records.get(nb, {}).get("verdicts", {})
        entry = {"verdicts": {}, "notes": prepared.notes.get(nb, [])}
        if nb in prepared.invalid:
            entry["status"] = f"not graded: invalid notebook ({prepared.invalid[nb]})"
        elif nb in prepared.missing:
            entry["status"] = "not submitted"
        else:
            entry["status"] = status.get(nb, "graded")
        for check in checks:
            v = verdicts.get(check.id)
            entry["verdicts"][check.id] = {
                "passed": bool(v and v.get("passed")),
                "message": v["message"] if v else "the hidden tests did not run",
            }
        out["notebooks"][nb] = entry
    out["extra_files"] = prepared.extra
    return out


def apply_scores(course, result):
    """Set every test cell's score in the gradebook from the judge's verdict."""
    from nbgrader.api import Gradebook, MissingEntry

    total = 0.0
    with Gradebook(course.db_url) as gb:
        for nb, entry in result["notebooks"].items():
            for check_id, verdict in entry["verdicts"].items():
                try:
                    grade = gb.find_grade(
                        f"test_{check_id}", nb, course.assignment, result["student"]
                    )
                except MissingEntry:
                    continue
                grade.auto_score = grade.max_score if verdict["passed"] else 0.0
                grade.manual_score = None
                grade.needs_manual_grade = False
                verdict["points"] = grade.auto_score
                verdict["max_points"] = grade.max_score
                total += grade.auto_score
        gb.db.commit()
    result["total"] = total
    return result


def _in_kernel_failed(cell):
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


def annotate_feedback(course, result):
    """Add the grader's notes and the judge's verdicts to the autograded notebooks."""
    for nb, entry in result["notebooks"].items():
        path = os.path.join(course.autograded(result["student"]), nb + ".ipynb")
        if not os.path.exists(path):
            continue
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if not (cell.cell_type == "code" and gid.startswith("test_")):
                continue
            verdict = entry["verdicts"].get(gid[5:])
            if verdict is None:
                continue
            if not verdict["passed"] and not _in_kernel_failed(cell):
                cell.outputs.append(
                    nbformat.v4.new_output(
                        "error",
                        ename="GradingError",
                        evalue=verdict["message"],
                        traceback=[f"GradingError: {verdict['message']}"],
                    )
                )
            elif verdict["passed"] and _in_kernel_failed(cell):
                cell.outputs.append(
                    nbformat.v4.new_output(
                        "stream",
                        name="stdout",
                        text="Graded as passed: the grader's trusted run of these tests passed.\n",
                    )
                )
        notes = entry["notes"] + ([] if entry["status"] == "graded" else [entry["status"]])
        if notes:
            text = "**Notes from the grader**\n\n" + "\n".join(f"- {n}" for n in notes)
            notebook.cells.insert(0, nbformat.v4.new_markdown_cell(text))
        nbformat.write(notebook, path)


def write_failure_feedback(course, result):
    """A feedback page for notebooks that nbgrader could not produce feedback for."""
    import html

    for nb, entry in result["notebooks"].items():
        path = os.path.join(course.feedback(result["student"]), nb + ".html")
        if os.path.exists(path):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        rows = "".join(
            f"<tr><td>{html.escape(c)}</td><td>{'passed' if v['passed'] else 'failed'}</td>"
            f"<td>{v.get('points', 0):g} / {v.get('max_points', 0):g}</td>"
            f"<td>{html.escape(v['message'])}</td></tr>"
            for c, v in entry["verdicts"].items()
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in entry["notes"])
        with open(path, "w") as f:
            f.write(
                f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{nb}</title>"
                f"</head><body><h1>{html.escape(nb)}</h1><p><b>{html.escape(entry['status'])}"
                f"</b></p><ul>{notes}</ul><table border='1'><tr><th>exercise</th>"
                f"<th>result</th><th>points</th><th>message</th></tr>{rows}</table>"
                f"</body></html>"
            )


def grade_all(course, students, prepared, workers=2, limits=None, log=print):
    """Grade ``students`` with ``workers`` parallel nbgrader processes; return results.

    Workers only run nbgrader; everything that writes the gradebook after it happens
    here, in this thread, one student at a time.
    """
    limits = limits or Limits()
    settings, _ = course.prepare_sandbox(limits, workers)
    free = queue.Queue()
    for s in settings:
        free.put(s)
    results = {}

    def job(student):
        worker = free.get()
        try:
            return grade_student(course, student, prepared[student], worker, limits)
        finally:
            free.put(worker)

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(job, s): s for s in students}
            for fut in concurrent.futures.as_completed(futures):
                student = futures[fut]
                try:
                    result = fut.result()
                except Exception as e:  # the pipeline itself failed for this student
                    result = {
                        "student": student,
                        "seconds": 0,
                        "notebooks": {},
                        "error": f"{type(e).__name__}: {e}",
                        "extra_files": [],
                    }
                if result["notebooks"]:
                    apply_scores(course, result)
                    annotate_feedback(course, result)
                results[student] = result
                log(f"  {student}: {result.get('total', 0):g} points in {result['seconds']:.1f} s")
    finally:
        course.cleanup_sandbox()
    return [results[s] for s in students]
