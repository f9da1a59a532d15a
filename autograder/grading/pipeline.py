"""The coordinator: which students to grade, where to run them, and recording the results.

    intake.collect (any folder of downloads -> submitted/, every other file listed)
      -> select (new or changed, or --all / --student)
      -> per student: intake.prepare + record.sanitize (nbgrader's sanitize pass, no writes)
      -> backend (local processes or Dask): execute.execute_student, anywhere
      -> per finished student, here, one at a time: record.autograde (nbgrader writes the
         gradebook, autograded/, late penalties), feedback.student.regenerate (nbgrader's
         pages, and pages for notebooks it has none for), results.save
      -> record.export (grades.csv) and the class summary from every student's result

Workers only execute; this process alone writes. A student's failure at any step is
that student's result; the others go on. Students not selected are not touched.
"""

import os
import time
from dataclasses import dataclass, field

import nbformat

from ..feedback.student import regenerate
from . import backends, intake, record, releases, results, stale, summary, timing
from .sandbox import Limits
from .settings import GradingTimes


@dataclass
class Options:
    workers: int = 1
    students: list = field(default_factory=list)  # only these (default: new or changed)
    everyone: bool = False  # --all
    dask: str | None = None
    cell_seconds: float | None = None  # None: the course's (c.GradingTimes), else derived
    notebook_seconds: float | None = None
    limits: Limits | None = None  # None: the course's (c.GradingSandbox)
    lms_timezone: str | None = None  # Blackboard's zone where no receipt states one
    log: object = print


@dataclass
class Run:
    """What one run did, for the summary and the benchmark."""

    graded: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # students whose grading failed
    problems: dict = field(default_factory=dict)
    phases: dict = field(default_factory=dict)
    per_student: dict = field(default_factory=dict)
    release_changes: dict = field(default_factory=dict)
    backend: str = ""
    intake: object = None  # the IntakeResult of all that was taken in (grading/intake.json)
    stale: dict = field(default_factory=dict)  # {student: {notebook: what changed}}
    stale_notes: list = field(default_factory=list)  # what make grade says of them
    names: dict = field(default_factory=dict)  # {student: name} from the roster

    def received(self, student):
        """(file, reason) of the student's files of their latest download that were
        not used."""
        return self.intake.skipped_for(student) if self.intake else []


def select(course, students, options):
    """The students this run grades."""
    if options.students:
        return [s for s in students if s in options.students]
    if options.everyone:
        return list(students)
    state = results.load_state(course)
    return [s for s in students if results.needs_grading(course, state, s)]


def current_releases(course):
    out = {}
    for name in course.notebooks():
        path = os.path.join(course.release_dir(), name + ".ipynb")
        releases.snapshot(course.root, path)
        out[name] = nbformat.read(path, as_version=4)
    return out


def calibration_limits(config):
    """Flat limits for timing the reference (c.GradingTimes.calibration_*)."""
    times = GradingTimes(config=config)
    return {
        "cell_seconds": times.calibration_cell_seconds,
        "notebook_seconds": times.calibration_notebook_seconds,
    }


def calibrate(course, backend, names, log):
    """Time the reference notebooks ``names`` in the sandbox; store and return the profile."""
    log(f"timing the reference notebooks for the time limits: {', '.join(names)}")
    job = {
        "run": RUN,
        "student": "reference-timing",
        "secret": course.secret(),
        "notebooks": [
            [n, open(os.path.join(course.source_dir(), n + ".ipynb")).read()] for n in names
        ],
        "times": calibration_limits(course.config()),
        "limits": course.limits().__dict__,
    }
    runs = backend.run_now(job)["notebooks"]
    broken = {n: r["status"] for n, r in runs.items() if r["status"] != "graded"}
    if broken:
        raise RuntimeError(f"the reference notebooks do not run in the sandbox: {broken}")
    hashes = course.source_hashes()
    profile = course.profile()
    profile.update({n: timing.profile_entry(r, hashes[n]) for n, r in runs.items()})
    timing.save_profile(course.profile_path, profile)
    return profile


def time_limits(course, backend, options, selected):
    """Flat limits where the options give them, the rest derived from the profile
    (timing the reference first if the profile lacks a notebook someone submitted)."""
    flat = {"cell_seconds": options.cell_seconds, "notebook_seconds": options.notebook_seconds}
    times = timing.TimeLimits.configured(
        course.config(), load=backend.load(), **{k: v for k, v in flat.items() if v is not None}
    )
    if times.flat():
        return times
    submitted = {
        n[:-6]
        for s in selected
        if os.path.isdir(course.submitted(s))
        for n in os.listdir(course.submitted(s))
    }
    names = course.notebooks()
    profile = course.profile()
    missing = [i for i, n in enumerate(names) if n in submitted and n not in profile]
    if missing:
        profile = calibrate(course, backend, names[: max(missing) + 1], options.log)
    times.profile = profile
    return times


RUN = f"run-{os.uname().nodename}-{os.getpid()}"  # this coordinator's kernels share a cgroup


def make_job(course, prep, sanitized, times, limits):
    return {
        "run": RUN,
        "student": prep.student,
        "secret": course.secret(),
        "notebooks": [[n, sanitized[n][0]] for n in prep.valid],
        "limits": limits.__dict__,
        "times": times.as_dict(),
    }


def _record(course, config, prep, outcome, current, received):
    """nbgrader's autograde and feedback for one student, from the worker's outcome."""
    runs = outcome["notebooks"]
    if prep.valid:
        record.autograde(course, config, prep.student, prep.valid, runs, prep.invalid)
    else:
        record.ensure_submission(course, prep.student)
    scores = record.scores(course, prep.student)
    result = results.build(prep, outcome, scores, current, outcome["seconds"])
    # strict=False: a notebook nbgrader could not make a page of gets a problem page
    regenerate(course.root, result, course.assignment, received, config=config, strict=False)
    return result


def finish(course, config, prep, outcome, current, received=()):
    """Record one student (never raises: a failure is that student's result)."""
    if isinstance(outcome, Exception):
        return results.failed(prep.student, f"{type(outcome).__name__}: {outcome}", prep.extra)
    try:
        return _record(course, config, prep, outcome, current, received)
    except Exception as e:
        return results.failed(prep.student, f"{type(e).__name__}: {e}", prep.extra)


class Coordinator:
    """One grading run of a course (see the module docstring)."""

    def __init__(self, course, options):
        self.course, self.options = course, options
        self.log = options.log
        self.run = Run()
        self.state = results.load_state(course)
        self.prepared = {}

    def grade(self, source):
        t0 = time.perf_counter()
        done = self.course.ensure_assignment()
        if done:
            self.log(f"assignment '{self.course.assignment}' in the gradebook: {done}")
        current = current_releases(self.course)
        self.release = stale.release_hashes(self.course.root, self.course.release_dir())
        selected = self._take_in(source)
        backend = backends.make(self.options.workers, self.options.dask)
        self.run.backend = backend.describe()
        try:
            backend.check()
            self._grade_with(backend, selected, current, t0)
        finally:
            backend.close()
        t1 = time.perf_counter()
        record.export(self.course, self.course.path("grades.csv"))
        self._stale()
        self.run.phases["finish"] = time.perf_counter() - t1
        return self.run

    def _stale(self):
        """Name the grades and handed-out bundles of an earlier release (stale.py)."""
        root, release = self.course.root, self.course.release_dir()
        self.run.stale = stale.stale_grades(root, self.state, self.release, release)
        bundles = stale.stale_bundles(root, self.release, release)
        self.run.stale_notes = stale.report(self.run.stale, bundles)
        for line in self.run.stale_notes:
            self.log(line)

    def _take_in(self, source):
        """Collect ``source`` into submitted/; return the students this run grades."""
        run, only = self.run, self.options.students
        run.intake, run.names, students, run.problems = intake.collect(
            self.course, source, only, self.log, self.options.lms_timezone
        )
        for s in only:
            if s not in students:
                run.problems[s] = "no submission from this student"
        return select(self.course, students, self.options)

    def _grade_with(self, backend, selected, current, t0):
        times = time_limits(self.course, backend, self.options, selected)
        limits = self.options.limits or self.course.limits()
        config = self.course.config()
        self.log(
            f"grading {len(selected)} of the submissions with {self.run.backend} "
            f"(unchanged ones are kept; --all grades everyone)"
        )
        t1 = time.perf_counter()
        self.run.phases["setup"] = t1 - t0
        for student in selected:
            self._dispatch(backend, config, student, times, limits)
        for student, outcome in backend.completed():
            self._finish(config, student, outcome, current)
        self.run.phases["grading"] = time.perf_counter() - t1

    def _dispatch(self, backend, config, student, times, limits):
        try:
            prep = intake.prepare(self.course, student)
            self.prepared[student] = prep
            sanitized = record.sanitize(self.course, config, student, prep.valid)
        except Exception as e:  # nbgrader could not even read it: this student fails alone
            extra = self.prepared[student].extra if student in self.prepared else []
            self._store(results.failed(student, f"{type(e).__name__}: {e}", extra))
            return
        prep.metadata = {n: meta for n, (_, meta) in sanitized.items()}
        for name, meta in prep.metadata.items():
            for cell in meta.get("release_changes", []):
                self.run.release_changes.setdefault(name, set()).add(cell)
        backend.submit(student, make_job(self.course, prep, sanitized, times, limits))

    def _finish(self, config, student, outcome, current):
        t0 = time.perf_counter()
        prep, received = self.prepared[student], self.run.received(student)
        result = finish(self.course, config, prep, outcome, current, received)
        self.run.per_student[student] = {
            "execute": (outcome or {}).get("seconds") if isinstance(outcome, dict) else None,
            "record": round(time.perf_counter() - t0, 2),
        }
        self._store(result)
        if "error" not in result:
            self.state[student] = {
                "fingerprint": results.fingerprint(self.course.submitted(student)),
                "release": self.release,  # what it was graded against (stale.py)
            }
            results.save_state(self.course, self.state)

    def _store(self, result):
        results.save(self.course, result)
        self.run.graded.append(result["student"])
        if "error" in result:
            self.run.failed.append(result["student"])
        status = (
            f"grading failed: {result['error']}"
            if "error" in result
            else f"{result['total']:g} points"
        )
        self.log(f"  {result['student']}: {status} in {result['seconds']:.1f} s")


def write_summary(course, run, seconds, workers):
    """The class summary from every student's latest result (this run's and earlier)."""
    changes = {n: sorted(c) for n, c in run.release_changes.items()}
    return summary.write(
        course.work,
        results.load_all(course),
        run.problems,
        seconds,
        workers,
        names=run.names,
        intake=run.intake,
        release_changes=changes,
        graded=len(run.graded),
        stale=run.stale_notes,
        due=due_text(record.due_date(course), course.config().LmsCollector.get("lms_timezone")),
    )


def due_text(due, zone=None):
    """ "2026-03-02 22:59 UTC (2026-03-02 23:59 CET, Europe/Berlin)": nbgrader keeps the
    due date in UTC; the course's zone (c.LmsCollector.lms_timezone), if set, too."""
    if due is None:
        return None
    text = f"{due:%Y-%m-%d %H:%M} UTC"
    if zone:
        from datetime import UTC
        from zoneinfo import ZoneInfo

        local = due.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
        text += f" ({local:%Y-%m-%d %H:%M %Z}, {zone})"
    return text


def write_timings(course, run, seconds):
    """grading/run.json: where the time of this run went (read by the benchmark)."""
    import json

    with open(os.path.join(course.work, "run.json"), "w") as f:
        json.dump(
            {
                "seconds": round(seconds, 2),
                "backend": run.backend,
                "graded": len(run.graded),
                "phases": {k: round(v, 2) for k, v in run.phases.items()},
                "per_student": run.per_student,
            },
            f,
            indent=1,
        )
