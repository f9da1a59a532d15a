"""nbgrader collect on the hub's exchange, attacked by students (issue 20, cases 1 and 3).

No hub: an exchange folder in tmp, inbound entries owned by other accounts (os.chown, as
root), and ``nbgrader collect`` run with the grader's configuration as deploy/ writes it
(deploy/jupyter_config.py) and the exchange modules installed as deploy/ installs them.
Any accounts of the machine serve as the students: collect only compares owners.
"""

import json
import logging
import os
import pwd
import shutil
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeFactory
from traitlets.config.loader import PyFileConfigLoader

from autograder.grading import intake as grading_intake
from autograder.grading.grading_course import GradingCourse
from course.paths import ROOT

sys.path.insert(0, ROOT)
from deploy import environments, jupyter_config, nbgrader_collect  # noqa: E402
from deploy.layout import Deployment  # noqa: E402

# An exchange and a gradebook made as root for other accounts: 11 s of setup (--durations).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def as_root():
    """Root makes files owned by other accounts; as the hub tests, it fails without
    (RNN_SKIP_HUB=1 skips), so that CI never skips these quietly."""
    if os.geteuid() != 0:
        problem = "needs root: it makes files owned by other accounts"
        if os.environ.get("RNN_SKIP_HUB") == "1":
            pytest.skip(problem)
        pytest.fail(problem + " (set RNN_SKIP_HUB=1 to skip the exchange tests instead)")


NB = "01_building_blocks.ipynb"
EARLY, LATER = "2026-12-01 10:00:00.000000 UTC", "2026-12-01 11:00:00.000000 UTC"
# Debian's system accounts (base-passwd): present on every machine the tests run on.
ALICE, BOB, CAROL, DAVE = "daemon", "bin", "sys", "games"


def _uid(name):
    return pwd.getpwnam(name).pw_uid


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """An empty gradebook, made once: a new one costs nbgrader an alembic run (seconds)."""
    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    Gradebook(f"sqlite:///{path}", "rnn-from-scratch").close()
    return path


def _grader_course(root, gradebook):
    """A deployment's course and exchange, with the grader's nbgrader configuration."""
    dep = Deployment(root=str(root))
    os.makedirs(dep.course_dir)
    shutil.copy(gradebook, dep.course_dir)
    shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), dep.course_dir)
    shutil.copytree(os.path.join(ROOT, "source"), os.path.join(dep.course_dir, "source"))
    jupyter_config.grader_config(dep)
    os.makedirs(os.path.join(dep.grader_env, "lib", "python3.11", "site-packages"))
    environments.install_exchange_module(dep.grader_env)
    inbound = Path(dep.exchange) / dep.course_id / "inbound"
    inbound.mkdir(parents=True)
    return dep, inbound


class _Log(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def _collect(dep):
    """nbgrader collect as the grader runs it: its configuration file (which names the
    exchange classes), the modules installed as deploy/ installs them. In-process (as
    the formgrader's Collect button runs it): (error or None, log lines)."""
    etc = os.path.join(dep.grader_env, "etc", "jupyter")
    config = PyFileConfigLoader("nbgrader_config.py", path=etc).load_config()
    sys.path.insert(0, environments.site_packages(dep.grader_env))
    log = logging.getLogger(f"collect-{id(dep)}")
    log.addHandler(handler := _Log())
    try:
        coursedir = CourseDirectory(config=config, assignment_id=dep.assignment)
        collect = ExchangeFactory(config=config).Collect(
            coursedir=coursedir, authenticator=Authenticator(config=config), log=log
        )
        try:
            collect.start()
        except Exception as e:  # what nbgrader's CollectApp would report as a failure
            return e, handler.lines
        return None, handler.lines
    finally:
        sys.path.remove(environments.site_packages(dep.grader_env))


def _entry(inbound, student, when, suffix, owner, files):
    """inbound/<student>+rnn+<when>+<suffix>, every file owned by ``owner``."""
    path = inbound / f"{student}+rnn+{when}+{suffix}"
    path.mkdir()
    (path / "timestamp.txt").write_text(when)
    for name, make in files.items():
        make(path / name)
    for p in [path, *path.rglob("*")]:
        os.chown(p, _uid(owner), -1, follow_symlinks=False)
    return path


def _text(text):
    return lambda p: p.write_text(text)


def _sparse(size):
    def make(path):
        with open(path, "wb") as f:
            f.truncate(size)

    return make


def _submitted(dep, student):
    return Path(dep.course_dir) / "submitted" / student / dep.assignment


@pytest.fixture(scope="module")
def attacked(tmp_path_factory, gradebook):
    """One collect of an exchange with an honest student and four kinds of attack."""
    dep, inbound = _grader_course(tmp_path_factory.mktemp("exchange"), gradebook)
    source = Path(dep.course_dir) / "source" / dep.assignment / NB
    _entry(inbound, BOB, EARLY, "honest", BOB, {NB: _text("bob's work")})
    # Alice forges a later submission in Bob's name.
    _entry(inbound, BOB, LATER, "forged", ALICE, {NB: _text("alice's forgery")})
    # Alice submits links to the course's source (the reference solutions).
    _entry(inbound, ALICE, EARLY, "links", ALICE, {NB: lambda p: p.symlink_to(source)})
    # Carol submits a hard link to a file of the grader's (not hers).
    # (linked after the chown, which would give the source file to Carol)
    os.link(source, _entry(inbound, CAROL, EARLY, "hardlink", CAROL, {}) / NB)
    # Dave's whole entry is a link to source/.
    link = inbound / f"{DAVE}+rnn+{EARLY}+dirlink"
    link.symlink_to(source.parent)
    os.chown(link, _uid(DAVE), -1, follow_symlinks=False)
    return dep, _collect(dep)


def test_a_forged_later_entry_does_not_replace_the_students_own(attacked):
    dep, (error, _) = attacked
    assert error is None
    assert (_submitted(dep, BOB) / NB).read_text() == "bob's work"


@pytest.mark.parametrize(
    "student",
    [ALICE, CAROL, DAVE],
    ids=["symlinked file", "hard link", "entry is a link"],
)
def test_a_submission_of_links_or_of_anothers_files_is_not_collected(attacked, student):
    dep, _ = attacked
    assert not _submitted(dep, student).exists()


def test_nothing_of_the_source_reaches_submitted(attacked):
    dep, _ = attacked
    reference = (Path(dep.course_dir) / "source" / dep.assignment / NB).read_text()
    for path in (Path(dep.course_dir) / "submitted").rglob("*"):
        assert not path.is_symlink(), path
        assert not (path.is_file() and path.read_text() == reference), path


def test_refusals_are_logged_and_recorded_for_the_instructor(attacked):
    dep, (_, log) = attacked
    record = json.loads((Path(dep.course_dir) / "grading" / "refused_submissions.json").read_text())
    refused = {(r["entry"].split("+")[-1], r["named_student"], r["owner"]) for r in record}
    assert refused == {
        ("forged", BOB, ALICE),
        ("links", ALICE, ALICE),
        ("hardlink", CAROL, CAROL),
        ("dirlink", DAVE, DAVE),
    }
    reasons = {r["entry"].split("+")[-1]: r["reason"] for r in record}
    assert reasons["forged"] == f"made by {ALICE}, not by {BOB}"
    assert reasons["links"] == f"{NB} is a symbolic link"
    assert reasons["hardlink"] == f"{NB} is owned by root, not by the student"
    assert sum(line.startswith("Refused ") for line in log) == 4, log


def test_an_unreadable_entry_name_stops_nobody_elses_collection(tmp_path, gradebook):
    dep, inbound = _grader_course(tmp_path, gradebook)
    _entry(inbound, BOB, EARLY, "honest", BOB, {NB: _text("bob's work")})
    _entry(inbound, ALICE, "not a time", "x", ALICE, {NB: _text("alice")})
    error, log = _collect(dep)
    assert error is None
    assert (_submitted(dep, BOB) / NB).read_text() == "bob's work"
    assert any("the time in the name cannot be read" in line for line in log), log


def test_the_grading_run_reports_the_refusals(attacked):
    dep, _ = attacked
    course = GradingCourse(dep.course_dir)
    lines = []
    _, _, students, problems = grading_intake.collect(course, course.submitted(), log=lines.append)
    assert students == [BOB]
    # (Alice made the forgery in Bob's name too)
    assert set(problems) == {ALICE, CAROL, DAVE}
    assert "refused by collect: " + f"{NB} is a symbolic link" in problems[ALICE]
    assert lines[0].startswith("nbgrader collect refused 4 submission(s)")


@pytest.mark.parametrize("kind", ["named pipe", "too large"])
def test_a_pipe_or_an_oversized_submission_stops_nobody_elses_collection(tmp_path, gradebook, kind):
    """nbgrader's copy stopped for everyone on a pipe (shutil.Error) and on a submission
    over max_dir_size (RuntimeError)."""
    dep, inbound = _grader_course(tmp_path, gradebook)
    if kind == "named pipe":
        files = {"pipe": lambda p: os.mkfifo(p)}
        reason = "pipe is not a regular file or folder"
    else:  # sparse files: 120 MB against nbgrader's default max_dir_size of 100 MB
        files = {f"big{i}.bin": _sparse(60 * 10**6) for i in (1, 2)}
        reason = "larger than CourseDirectory.max_dir_size"
    _entry(inbound, ALICE, EARLY, "hostile", ALICE, files)
    _entry(inbound, BOB, EARLY, "honest", BOB, {NB: _text("bob's work")})
    error, log = _collect(dep)
    assert error is None
    assert (_submitted(dep, BOB) / NB).read_text() == "bob's work"
    assert not _submitted(dep, ALICE).exists()
    assert any(line.startswith("Refused ") and reason in line for line in log), log


@pytest.mark.parametrize("swap", ["symlink", "hardlink"])
def test_a_file_swapped_while_it_is_collected_is_refused(tmp_path, swap):
    """The student replaces a checked file between collect's check and its copy."""
    entry, secret = tmp_path / "entry", tmp_path / "reference.ipynb"
    entry.mkdir()
    (entry / NB).write_text("mine")
    secret.write_text("the reference")
    os.chown(secret, _uid(BOB), -1)

    class Swapping(nbgrader_collect.Policy):
        def skips(self, name, path, st):  # called between the check and the open
            (entry / name).unlink()
            (entry / name).symlink_to(secret) if swap == "symlink" else os.link(
                secret, entry / name
            )
            return False

    coursedir = CourseDirectory()
    transfer = nbgrader_collect._Transfer(
        os.getuid(), Swapping(coursedir, logging.getLogger()), str(tmp_path / "out")
    )
    with pytest.raises(nbgrader_collect.Refused, match="could not be read|was replaced"):
        transfer.run(str(entry))
    assert not (tmp_path / "out" / NB).exists()
