"""The class on a real JupyterHub, end to end in a real browser (issues 12, 18).

One story, in the order a class lives it (fixtures: conftest.py here). The hub speaks
HTTPS (a certificate the test makes) and everyone logs in from the test's LMS by an LTI
1.3 launch (lms_platform.py): the LMS's user number maps to the roster's account, the
LTI role to the formgrader or the class.

 1. three students launch the tool from the LMS (their servers start meanwhile);
 2. the teacher opens the formgrader (the hub service) and generates and releases "rnn";
 3. alice and bob see it in the Assignments tab and fetch it; alice's answers are the
    reference (put through the Jupyter API), bob types his BPTT answer in JupyterLab,
    with a sign error; both submit notebooks 1-3 with the Submit button;
 4. the deadline passes (the due date is set in the gradebook), carol submits late;
 5. the teacher collects in the formgrader, the grader account grades with the
    hardened pipeline (python -m autograder.grade), the teacher releases the feedback;
 6. every student fetches it and reads their score and their failing test's message;
 7. what a student cannot do: open another's submission, list the exchange, reach the
    formgrader, read the course's source/ or gradebook.db, import autograder, read the
    hub's service list (the formgrader's command);
 8. what a hostile student cannot do (issue 20): carol's notebook carries a script, an
    event handler and an unquoted image size for the formgrader, and tries to start 400
    processes and write 400 MB in /tmp while it is graded as the grader account; the
    teacher opens it in the formgrader and nothing of hers runs, and the grading sandbox
    held her to its caps; alice, outside her sandbox, listens on every socket carol's
    kernel could be reached at and hears nothing;
 9. the grades go back to the LMS over AGS (deploy.lti_grades): a dry run sends nothing,
    the run sends each student's total exactly once, a second run sends nothing at all;
    someone the roster does not know is refused at launch;

test_bombs_in_one_server_leave_another_responsive: on the same hub, after the story (its
servers and kernels still running), bob's fork bomb and memory bomb leave alice's kernel
responsive and his cgroup holds them (isolation.py: the bombs, the round trips, the
small limits this module's deployment has: DEPLOYMENT_SETTINGS; the story runs within
them);

test_restart_and_the_trial: 10. the hub restarts as `make hub`'s trial: the cookie secret
and the proxy's token are the same 0600 files, the proxy runs with that token, and the
teacher (logged in by LTI) is still logged in; 11. a student logs in with the shared
password.

Only notebooks 1-3 are submitted (the pipeline grades the others as "not submitted"),
to keep the test near a minute and a half.
"""

import contextlib
import datetime
import http.server
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import grading_fixtures as fixtures
import isolation
import psutil
import pytest
from lms_platform import LEARNER
from nbgrader.api import Gradebook
from playwright.sync_api import expect

import deploy.lti_grades
from deploy import accounts, hub_secrets, instructor
from deploy.limits import ServerCgroup, parse_bytes

pytestmark = pytest.mark.hub

# The small limits the isolation test puts to the test (conftest.py's deployment reads
# them); the story runs within them.
DEPLOYMENT_SETTINGS = isolation.DEPLOYMENT_SETTINGS

REPO_ROOT = Path(__file__).resolve().parents[2]

NB1, NB2, NB3 = fixtures.NOTEBOOKS[:3]
SUBMITTED = (NB1, NB2, NB3)
GRADE_TIMEOUT = 600  # s, a bound for a hung pipeline, not an expectation
# ms: what a student's server does for a click (nbgrader fetch, submit, fetch_feedback),
# generous: CI shares two cores with the rest of the suite.
SERVER_TIMEOUT = 60_000


# --- the teacher in the formgrader ------------------------------------------------------------


def formgrader_action(teacher, assignment, column, label):
    """Click the icon in ``column`` of the assignment's row; wait for nbgrader's dialog."""
    page = teacher.page
    row = page.locator("tbody tr").filter(has=page.locator("td.name", has_text=assignment))
    row.locator(f"td.{column} a").click()
    dialog = page.locator("#success-modal, #error-modal")
    expect(dialog).to_be_visible(timeout=120_000)
    teacher.screenshot(label)
    text = dialog.inner_text()
    assert dialog.get_attribute("id") == "success-modal", f"formgrader {column} failed:\n{text}"
    dialog.locator(".modal-footer button").click()
    expect(dialog).to_have_count(0)
    return text


def open_formgrader(teacher):
    dep = teacher.hub.dep
    teacher.start_login(next_path=dep.formgrader_path)
    page = teacher.page
    # The hub starts the formgrader service on first use: slow on a loaded machine.
    page.wait_for_url(re.compile(r"/formgrader/manage_assignments"), timeout=120_000)
    # Its first list of assignments (measured: up to 16 s while three servers start).
    expect(page.locator("td.name", has_text=dep.assignment)).to_be_visible(timeout=90_000)


# --- students in the Assignments tab -----------------------------------------------------------


def fetch_assignment(student):
    panel = student.open_assignments()
    released = student.assignment_row("released", "rnn")
    expect(released).to_be_visible(timeout=SERVER_TIMEOUT)
    student.screenshot("assignments-released")
    released.get_by_role("button", name="Fetch").click()
    fetched = student.assignment_row("fetched", "rnn")
    expect(fetched.get_by_role("button", name="Submit")).to_be_visible(timeout=SERVER_TIMEOUT)
    return panel


def keep_only(student, notebooks):
    """Delete the fetched notebooks the student does not submit (Jupyter API)."""
    for name in fixtures.NOTEBOOKS:
        if name not in notebooks:
            student.delete(f"rnn/{name}")


def submit(student):
    student.open_assignments()  # (again): the list as it is now on disk
    fetched = student.assignment_row("fetched", "rnn")
    fetched.get_by_role("button", name="Submit").click()
    submitted = student.assignment_row("submitted", "rnn")
    expect(submitted.get_by_role("button", name="Fetch Feedback")).to_be_visible(
        timeout=SERVER_TIMEOUT
    )
    student.screenshot("submitted")


def type_answer(student, notebook, grade_id, new_source):
    """Open ``notebook`` in JupyterLab, replace an answer cell's code by typing, save."""
    cells = student.api("GET", f"contents/rnn/{notebook}")["content"]["cells"]
    index = next(
        i
        for i, c in enumerate(cells)
        if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id
    )
    page = student.page
    page.goto(f"{student.server}/lab/tree/rnn/{notebook}")
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    editor = cell.locator(".cm-content")
    expect(editor).to_contain_text("YOUR CODE HERE")
    # Its kernel up first: once connected, JupyterLab writes the kernel's language_info
    # into the notebook, which would make it dirty again after the save (seen under load).
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(new_source)  # as typed, without the editor's auto-indent
    expect(editor).to_contain_text("dh_next")
    student.screenshot("typed-answer")
    page.keyboard.press("Control+s")
    expect(page.locator(".jp-mod-current.jp-mod-dirty")).to_have_count(0)


def fetch_and_read_feedback(student, notebook, failure=None):
    """Fetch Feedback, follow "(view feedback)", open ``notebook``'s page; return its text.

    Screenshots: the page's top (the score) and, if given, the ``failure`` message.
    """
    page = student.page
    page.goto(f"{student.server}/lab")
    student.open_assignments()
    row = student.assignment_row("submitted", "rnn")
    row.get_by_role("button", name="Fetch Feedback").click()
    link = row.get_by_text("(view feedback)")
    expect(link).to_be_visible(timeout=SERVER_TIMEOUT)
    student.screenshot("feedback-fetched")
    link.click()  # the file browser goes to rnn/feedback/<timestamp>/
    item = page.locator(".jp-DirListing-item", has_text=notebook.replace(".ipynb", ".html"))
    item.dblclick()
    body = page.frame_locator(".jp-HTMLViewer iframe").first.locator("body")
    expect(body).to_contain_text("Feedback for", timeout=SERVER_TIMEOUT)
    student.screenshot(f"feedback-{notebook[:2]}-score")
    if failure:
        message = body.get_by_text(failure).first
        message.scroll_into_view_if_needed()
        expect(message).to_be_visible()
        student.screenshot(f"feedback-{notebook[:2]}-failure")
    return body.inner_text()


# --- what a student's own code can reach --------------------------------------------------------

PROBE = """import glob, importlib.util, json, os
checks = {}
def attempt(name, action):
    try:
        action()
        checks[name] = "allowed"
    except Exception as e:
        checks[name] = type(e).__name__
attempt("list inbound", lambda: os.listdir(%(inbound)r))
attempt("open another's submission", lambda: open(%(other_submission)r).read())
attempt("list released feedback", lambda: os.listdir(%(feedback)r))
attempt("read gradebook.db", lambda: open(%(gradebook)r, "rb").read(16))
attempt("list source/", lambda: os.listdir(%(source)r))
attempt("read the reference in the checkout", lambda: open(%(reference)r).read())
attempt("list another's home", lambda: os.listdir(%(other_home)r))
def server_env(name):  # else from the kernel's parent: the student's own server
    if name in os.environ:
        return os.environ[name]
    with open(f"/proc/{os.getppid()}/environ", "rb") as f:
        env = dict(v.split(b"=", 1) for v in f.read().split(b"\\0") if b"=" in v)
    return env[name.encode()].decode()
def read_service_commands():
    import urllib.request
    request = urllib.request.Request(
        server_env("JUPYTERHUB_API_URL") + "/services",
        headers={"Authorization": "token " + server_env("JUPYTERHUB_API_TOKEN")},
    )
    services = json.load(urllib.request.urlopen(request, timeout=10))
    assert any(s.get("command") for s in services.values()), services
attempt("read the formgrader's command in the hub's service list", read_service_commands)
checks["find others' submissions"] = glob.glob(%(inbound)r + "/*")
for package in ("course", "autograder", "authoring", "bench"):
    found = importlib.util.find_spec(package)
    checks["import " + package] = "found" if found else "not found"
checks["import helpers"] = "found" if importlib.util.find_spec("helpers") else "not found"
print("PROBE " + json.dumps(checks))
"""


def run_probe(student, paths):
    output = run_cell(student, "probe", PROBE % paths, "PROBE")
    return json.loads(output.split("PROBE ", 1)[1])


def run_cell(student, name, source, marker, before_run=lambda: None):
    """Open a notebook of one cell in JupyterLab, run it once its kernel is idle (after
    ``before_run``), return the text of its output that contains ``marker``."""
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": name,
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        ],
        "metadata": {
            "kernelspec": {
                "name": "python3",
                "language": "python",
                "display_name": "Python 3 (ipykernel)",
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    student.put_notebook(f"{name}.ipynb", notebook)
    page = student.page
    # ?reset: this notebook alone (a notebook open from earlier would show its own kernel
    # as idle in the status bar, and the cell would run before this one's kernel is up).
    page.goto(f"{student.server}/lab/tree/{name}.ipynb?reset")
    # The status bar names the notebook's kernel once it is connected and idle.
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)
    before_run()
    student.menu("Run", "runmenu:run-all")
    output = page.locator(".jp-OutputArea-output", has_text=marker).last
    expect(output).to_be_visible(timeout=60_000)
    student.screenshot(name)
    return output.inner_text()


# --- a hostile student (issue 20) -------------------------------------------------------


class Beacon:
    """A loopback HTTP listener that records every request: where a script would report."""

    def __init__(self):
        self.hits = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _pwn(beacon, how):
    """JavaScript (no spaces: it must fit an unquoted attribute) that leaves a mark."""
    return f"window.__carol='{how}';(new/**/Image).src='{beacon.url}/{how}'"


def hostile_cells(beacon):
    """What carol adds to her notebook 1, just before its last test cell (grading runs no
    code cell after that one): content that would run in the formgrader, and the caps of
    her grading sandbox tried."""
    md, script, onerror, js, width = (
        _pwn(beacon, how) for how in ("markdown", "script", "onerror", "javascript", "width")
    )
    markdown = f'**carol\'s markdown** <img src=x onerror="{md}">'
    html = f'<b>carol\'s html</b><script>{script}</script><img src=x onerror="{onerror}">'
    size = {"image/png": {"width": f"1 onerror={width}"}}
    display = f"""from IPython.display import HTML, Javascript, display
display(HTML({html!r}))
display(Javascript({js!r}))
display({{"image/png": "iVBORw0KGgo="}}, raw=True, metadata={size!r})
"""
    return [("markdown", markdown), ("code", display), ("code", TRY_THE_CAPS)]


# 400 processes and 400 MB in /tmp, against the documented 256 and 256 MB (sandbox.Limits).
TRY_THE_CAPS = """import json, os, signal
children = []
try:
    for _ in range(400):  # posix_spawn: cheap, whatever the kernel's size
        children.append(os.posix_spawn("/bin/sleep", ["sleep", "60"], {}))
except OSError:
    pass
for pid in children:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
written = 0
try:
    for i in range(8):
        with open(f"/tmp/carol{i}", "wb") as f:
            for _ in range(50):
                f.write(bytes(2**20))
                written += 1
except OSError:
    pass
for i in range(8):
    if os.path.exists(f"/tmp/carol{i}"):
        os.remove(f"/tmp/carol{i}")
print("CAPS " + json.dumps({"processes": len(children), "tmp_mb": written}))
"""


def with_hostile_cells(nb, beacon):
    """``nb`` with carol's cells just before its last test cell: grading does not run the
    cells after a notebook's last test (execute.after_the_last_test), and these must run."""
    nb = json.loads(json.dumps(nb))
    (*_, last_test) = (
        i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("grade")
    )
    for n, (kind, source) in enumerate(hostile_cells(beacon)):
        cell = {"cell_type": kind, "id": f"carol-{n}", "metadata": {}, "source": source}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        nb["cells"].insert(last_test + n, cell)
    return nb


def caps_carol_met(dep, carol):
    """What TRY_THE_CAPS printed when the grader account graded carol's notebook 1."""
    path = Path(dep.course_dir) / "autograded" / carol.name / dep.assignment / NB1
    for cell in json.loads(path.read_text())["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            if "CAPS " in text:
                return json.loads(text.split("CAPS ", 1)[1])
    raise AssertionError(f"no CAPS line in {path}")


def formgrader_runs_nothing_of_carols(teacher, carol, beacon):
    """The teacher opens carol's notebook 1 in the formgrader: her content is shown, and
    none of it ran (no mark in the page, no request to the beacon)."""
    dep = teacher.hub.dep
    with Gradebook(f"sqlite:///{dep.course_dir}/gradebook.db") as gb:
        submission = gb.find_submission_notebook(NB1[:-6], dep.assignment, carol.name).id
    page = teacher.page
    page.goto(f"{teacher.hub.url}{dep.formgrader_path}/submissions/{submission}/")
    expect(page.get_by_text("carol's html")).to_be_visible()
    expect(page.get_by_text("carol's markdown")).to_be_visible()
    page.wait_for_load_state("load")  # after every image's error event
    page.wait_for_timeout(500)  # a request on its way to the beacon
    teacher.screenshot("formgrader-carols-notebook")
    mark = page.evaluate("window.__carol || null")
    assert mark is None and beacon.hits == [], (mark, beacon.hits)


# Run as another student, outside any sandbox: subscribe to every TCP port the victim's
# account listens on and every kernel's Unix socket named in /proc/net/unix, until stdin
# closes; print what was heard.
EAVESDROP = r"""import json, sys, zmq
victim = int(sys.argv[1])
ctx = zmq.Context()
poller = zmq.Poller()
targets = []
def listen(address):
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.setsockopt(zmq.LINGER, 0)
    sub.connect(address)
    poller.register(sub, zmq.POLLIN)
    targets.append(address)
with open("/proc/net/tcp") as f:
    for line in f.readlines()[1:]:
        field = line.split()
        if field[3] == "0A" and int(field[7]) == victim:
            listen("tcp://127.0.0.1:%d" % int(field[1].rsplit(":", 1)[1], 16))
with open("/proc/net/unix") as f:
    for line in f.readlines()[1:]:
        field = line.split()
        if len(field) > 7 and field[7].startswith("/") and "kernel" in field[7]:
            listen("ipc://" + field[7])
print(json.dumps({"targets": targets}), flush=True)
stdin = sys.stdin.fileno()
poller.register(stdin, zmq.POLLIN)
heard = []
while True:
    events = dict(poller.poll(30_000))
    if not events or stdin in events:
        break
    for sub in events:
        heard.append(repr(sub.recv_multipart()))
print(json.dumps({"heard": heard}), flush=True)
"""


def alice_cannot_listen_to_carol(alice, carol):
    """Carol prints a secret in her kernel while alice listens: alice hears nothing."""
    dep = carol.hub.dep
    secret = secrets.token_hex(8)
    spy = {}

    def start_listening():  # once carol's kernel is up
        spy["proc"] = subprocess.Popen(
            ["runuser", "-u", alice.name, "--", f"{dep.student_env}/bin/python", "-c"]
            + [EAVESDROP, str(accounts.uid(carol.name))],
            cwd=dep.home(alice.name),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = spy["proc"].stdout.readline()
        assert first, f"the eavesdropper failed: {spy['proc'].communicate()[1][-3000:]}"
        spy["targets"] = json.loads(first)["targets"]

    source = f"import time\nfor i in range(8):\n    print({secret!r}, i)\n    time.sleep(0.25)"
    source += "\nprint('SPOKEN')"
    try:
        run_cell(carol, "secret", source, "SPOKEN", before_run=start_listening)
        out, err = spy["proc"].communicate(input="", timeout=60)
    finally:
        if "proc" in spy and spy["proc"].poll() is None:
            spy["proc"].kill()
    assert out.strip(), f"the eavesdropper failed: {err[-3000:]}"
    heard = json.loads(out.strip().splitlines()[-1])["heard"]
    print(f"{alice.name} listened on {spy['targets']}: {len(heard)} messages")
    assert not any(secret in message for message in heard), heard[:3]


def as_account(user, *argv):
    """Run ``argv`` as ``user`` directly on the host, without the sandbox."""
    return subprocess.run(["runuser", "-u", user, "--", *argv], capture_output=True, text=True)


@contextlib.contextmanager
def step(title, timings):
    """Print how long a step of the story took (for the record, never asserted)."""
    t0 = time.perf_counter()
    yield
    timings[title] = round(time.perf_counter() - t0, 1)
    print(f"[{timings[title]:6.1f} s] {title}")


# --- the story ----------------------------------------------------------------------------


def release(teacher):
    """The teacher generates and releases the assignment in the formgrader."""
    dep = teacher.hub.dep
    open_formgrader(teacher)
    teacher.screenshot("formgrader")
    formgrader_action(teacher, dep.assignment, "assign", "generated")
    formgrader_action(teacher, dep.assignment, "release", "released")
    expect(teacher.page.locator("td.status")).to_have_text("released")


def alice_answers_everything(alice):
    fetch_assignment(alice)
    for name in SUBMITTED:
        alice.put_notebook(f"rnn/{name}", fixtures.student_notebook(name))
    keep_only(alice, SUBMITTED)
    submit(alice)


def bob_types_a_bptt_bug(bob):
    fetch_assignment(bob)
    for name in (NB1, NB2):
        bob.put_notebook(f"rnn/{name}", fixtures.student_notebook(name))
    keep_only(bob, SUBMITTED)
    grade_id = "basicrnncell-backward"
    answer = next(
        c
        for c in fixtures.bug_bptt_sign()[NB3]["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id
    )
    type_answer(bob, NB3, grade_id, "".join(answer["source"]))
    on_disk = bob.api("GET", f"contents/rnn/{NB3}")["content"]
    assert any("(dh[t] - dh_next)" in "".join(c["source"]) for c in on_disk["cells"])
    bob.page.goto(f"{bob.server}/lab")
    submit(bob)


def carol_submits_late(carol, beacon):
    """The deadline passes (due date: now, in the gradebook); carol submits after it,
    with her hostile cells at the end of notebook 1."""
    dep = carol.hub.dep
    now = datetime.datetime.now(datetime.UTC)
    instructor.set_due_date(dep, now.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    fetch_assignment(carol)
    carol.put_notebook(
        f"rnn/{NB1}", with_hostile_cells(fixtures.bug_softmax_overflow()[NB1], beacon)
    )
    keep_only(carol, (NB1,))
    submit(carol)


def collect(teacher):
    teacher.page.reload()
    expect(teacher.page.locator("td.duedate")).not_to_have_text("None")
    teacher.screenshot("due-date-passed")
    formgrader_action(teacher, teacher.hub.dep.assignment, "collect", "collected")
    expect(teacher.page.locator("td.num-submissions")).to_have_text("3")


def grade(dep):
    """The grader account runs the hardened pipeline.

    Returns {student: seconds late} and {student: {notebook: (score, max score)}}, as
    the gradebook has them.
    """
    graded = instructor.grade(dep, workers=2, timeout=GRADE_TIMEOUT)
    print(graded.stdout[-3000:])
    with Gradebook(f"sqlite:///{dep.course_dir}/gradebook.db") as gb:
        submissions = {s: gb.find_submission(dep.assignment, s) for s in dep.students}
        late = {s: sub.total_seconds_late for s, sub in submissions.items()}
        scores = {
            s: {f"{nb.name}.ipynb": (nb.score, nb.max_score) for nb in sub.notebooks}
            for s, sub in submissions.items()
        }
    print(f"seconds late: {late}\nscores: {scores}")
    return late, scores


def states_score(text, notebook, score):
    """Whether a feedback page's text names ``notebook`` and states its (score, max)."""
    words = " ".join(text.split())  # the page's layout breaks lines anywhere
    return notebook[:-6] in words and f"· score {score[0]:g} / {score[1]:g}" in words


def release_feedback(teacher):
    dep = teacher.hub.dep
    teacher.page.goto(f"{teacher.hub.url}{dep.formgrader_path}/manage_submissions/rnn")
    expect(teacher.page.locator("td.timestamp")).to_have_count(3)
    teacher.screenshot("submissions")
    teacher.page.goto(f"{teacher.hub.url}{dep.formgrader_path}")
    formgrader_action(teacher, dep.assignment, "release-feedback", "feedback-released")


def what_carol_cannot_do(carol, alice):
    """The formgrader, others' submissions, the course directory, the instructor code."""
    dep = carol.hub.dep
    status = carol.page.goto(f"{carol.hub.url}{dep.formgrader_path}").status
    carol.screenshot("formgrader-refused")
    assert status in (403, 404), f"a student reached the formgrader (HTTP {status})"
    inbound = f"{dep.exchange}/{dep.course_id}/inbound"
    (alices,) = [p for p in os.listdir(inbound) if p.startswith(alice.name + "+")]
    checks = run_probe(
        carol,
        {
            "inbound": inbound,
            "other_submission": f"{inbound}/{alices}/{NB1}",
            "feedback": f"{dep.exchange}/{dep.course_id}/feedback",
            "gradebook": f"{dep.course_dir}/gradebook.db",
            "source": f"{dep.course_dir}/source",
            "reference": f"{REPO_ROOT}/course/reference/BasicRNNCell.py",
            "other_home": dep.home(alice.name),
        },
    )
    print(f"probe as {carol.name}: {checks}")
    assert checks.pop("find others' submissions") == []
    for package in ("course", "autograder", "authoring", "bench"):
        assert checks.pop("import " + package) == "not found", package
    assert checks.pop("import helpers") == "found"
    assert all(result != "allowed" for result in checks.values()), checks
    # Outside the sandbox, as carol's own account on the host: the modes alone hold.
    for path in (
        f"{dep.course_dir}/gradebook.db",
        f"{dep.course_dir}/source",
        f"{inbound}/{alices}/{NB1}",
        dep.home(alice.name),
        inbound,
    ):
        result = as_account(carol.name, "ls", path)
        assert result.returncode != 0 and "Permission denied" in result.stderr, (path, result)


# --- grades back to the LMS, a restart, the trial (issue 18) ------------------------------


def lti_grades_command(dep, *options):
    """``python -m deploy.lti_grades`` as root, as an instructor runs it after grading."""
    argv = [sys.executable, "-m", "deploy.lti_grades", "--root", dep.root, "--ca-file"]
    result = subprocess.run(
        [*argv, dep.ca_file, *options], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    print(result.stdout)
    return result.stdout


def lti_grades(dep):
    """The same run in this process (the command's start-up is seconds on a busy machine)."""
    lines = []
    deploy.lti_grades.run(dep, ca_file=dep.ca_file, out=lines.append)
    print("\n".join(lines))
    return "\n".join(lines)


def grades_go_back_to_the_lms(dep, scores):
    """Dry run, run, run again: every student's total arrives once, then nothing is sent."""
    platform = dep.platform
    totals = {s: sum(got for got, _ in nbs.values()) for s, nbs in scores.items()}
    maxima = {s: sum(top for _, top in nbs.values()) for s, nbs in scores.items()}
    before = len(platform.requests)
    dry = lti_grades_command(dep, "--dry-run")
    assert "would send: 3" in dry and platform.scores == [], dry
    assert platform.requests[before:] == [], "a dry run talked to the LMS"
    sent = lti_grades(dep)
    assert "sent: 3, unchanged: 0, skip: 0" in sent, (sent, platform.refused)
    received = platform.scores_by_user()
    print(f"the LMS received: { {u: [b['scoreGiven'] for b in v] for u, v in received.items()} }")
    assert sorted(received) == sorted(dep.students)
    for student, bodies in received.items():
        (body,) = bodies  # exactly once
        assert body["scoreGiven"] == pytest.approx(totals[student]), (student, body)
        assert body["scoreMaximum"] == pytest.approx(maxima[student])
        assert body["gradingProgress"] == "FullyGraded"
    (item,) = platform.line_items.values()
    assert item["resourceId"] == dep.assignment
    before = len(platform.requests)
    again = lti_grades(dep)
    assert "sent: 0, unchanged: 3, skip: 0" in again, again
    assert platform.requests[before:] == [] and len(platform.scores) == 3
    return received


def a_stranger_is_refused(people, dep):
    """Someone the LMS knows as a Learner but the roster does not: 403 at launch."""
    stranger = people(dep.students[0].split("-")[0] + "-mallory")
    dep.platform.add_user(stranger.name, "6666", [LEARNER])
    stranger.page.goto(dep.platform.launch_url(stranger.name, dep.hub_url + "/hub/"))
    stranger.page.wait_for_url(re.compile(r"/hub/lti13/oauth_callback"))
    expect(stranger.page.get_by_text("not on the class roster").first).to_be_visible()
    stranger.screenshot("refused")


def proxy_token_in_use(dep):
    """CONFIGPROXY_AUTH_TOKEN of the running configurable-http-proxy of this deployment."""
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "configurable-http-proxy" in cmdline and f"--api-port {dep.proxy_api_port}" in cmdline:
            return proc.environ().get("CONFIGPROXY_AUTH_TOKEN")
    raise AssertionError("no configurable-http-proxy running")


def secrets_on_disk(dep):
    """{file: (mode, content)} of the secrets kept across restarts."""
    return {
        path: (os.stat(path).st_mode & 0o777, Path(path).read_text())
        for path in (dep.cookie_secret_file, dep.proxy_token_file)
    }


def restart_keeps_the_secrets(hub):
    """Restart the hub: the same 0600 secret files, the proxy started with the same token."""
    dep = hub.dep
    kept = secrets_on_disk(dep)
    assert all(mode == 0o600 for mode, _ in kept.values()), kept
    token = proxy_token_in_use(dep)
    assert token == hub_secrets.proxy_token(dep)
    hub.restart()
    assert secrets_on_disk(dep) == kept
    assert proxy_token_in_use(dep) == token


@pytest.fixture
def beacon():
    listener = Beacon()
    yield listener
    listener.close()


def test_class_on_jupyterhub(hub, people, beacon):
    dep = hub.dep
    teacher = people(dep.instructors[0])
    alice, bob, carol = (people(name) for name in dep.students)
    timings = {}

    with step("1. students launch from the LMS (their servers start meanwhile)", timings):
        for student in (alice, bob, carol):
            student.start_login()
    with step("2. the teacher releases rnn in the formgrader", timings):
        release(teacher)
    with step("   (the students' servers are up)", timings):
        for student in (alice, bob, carol):
            student.wait_for_lab()
    with step("3. alice and bob fetch, answer, submit", timings):
        alice_answers_everything(alice)
        bob_types_a_bptt_bug(bob)
    with step("4. the deadline passes, carol submits", timings):
        carol_submits_late(carol, beacon)
    with step("5. the teacher collects", timings):
        collect(teacher)
    with step("   the grader account grades (pipeline, 2 workers)", timings):
        late, scores = grade(dep)
    with step("   the teacher releases feedback", timings):
        release_feedback(teacher)
    assert late[alice.name] == 0 and late[bob.name] == 0 and late[carol.name] > 0
    alices, bobs, carols = scores[alice.name], scores[bob.name], scores[carol.name]
    assert all(alices[nb][0] == alices[nb][1] > 0 for nb in SUBMITTED)  # full marks
    assert bobs[NB1] == alices[NB1] and bobs[NB2] == alices[NB2] and bobs[NB3][0] == 0
    assert 0 < carols[NB1][0] < carols[NB1][1]  # softmax fails, the rest of notebook 1 passes
    assert all(scores[s][fixtures.NB5][0] == 0 for s in scores)  # not submitted

    with step("6. each student fetches and reads their feedback", timings):
        text = fetch_and_read_feedback(alice, NB3)
        assert states_score(text, NB3, alices[NB3])
        text = fetch_and_read_feedback(bob, NB3, failure="BasicRNNCell.backward (tanh)")
        assert states_score(text, NB3, bobs[NB3])
        text = fetch_and_read_feedback(carol, NB1, failure="AssertionError: softmax")
        assert states_score(text, NB1, carols[NB1])
        print("failures shown:", [ln for ln in text.splitlines() if "AssertionError" in ln])
    with step("7. what a student cannot do", timings):
        what_carol_cannot_do(carol, alice)
    with step("8. what a hostile student cannot do", timings):
        caps = caps_carol_met(dep, carol)
        print(f"{carol.name}'s grading sandbox, as the grader account: {caps}")
        assert caps["processes"] <= 256 and caps["tmp_mb"] <= 256, caps
        formgrader_runs_nothing_of_carols(teacher, carol, beacon)
        alice_cannot_listen_to_carol(alice, carol)
    with step("9. the grades go back to the LMS (AGS), once", timings):
        grades_go_back_to_the_lms(dep, scores)
        a_stranger_is_refused(people, dep)
    print(f"story: {sum(timings.values()):.1f} s")


def test_bombs_in_one_server_leave_another_responsive(hub, people):
    """After the story, on its hub (its servers and kernels still running): bob's fork
    bomb and memory bomb leave alice's kernel responsive (isolation.py says how)."""
    dep = hub.dep
    alice, bob = people(dep.students[0]), people(dep.students[1])
    t0 = time.perf_counter()
    for student in (alice, bob):
        student.start_login()
    for student in (alice, bob):
        student.wait_for_lab()
    kernels = {s.name: isolation.start_kernel(s) for s in (alice, bob)}
    warm = isolation.execute(alice, kernels[alice.name], isolation.WORK)
    assert warm["ok"], warm
    print(f"\nboth servers and kernels up in {time.perf_counter() - t0:.1f} s")

    baseline = [
        isolation.execute(alice, kernels[alice.name], isolation.WORK)["ms"] for _ in range(5)
    ]

    bob_group = ServerCgroup(bob.name, hub_pid=hub.proc.pid)
    alice_group = ServerCgroup(alice.name, hub_pid=hub.proc.pid)
    # The story ran in these servers (bob's kernels from it still count toward his
    # processes and memory): it must have stayed below every cap, so that the refusals
    # and OOM kills counted below are the bombs'.
    story = {"alice": alice_group.usage(), "bob": bob_group.usage()}
    print(f"after the story: {story}")
    for usage in story.values():
        assert usage["pids_refused"] == 0 and usage["oom_kills"] == 0, story

    started = isolation.execute(
        bob, kernels[bob.name], isolation.BOMBS.format(seconds=isolation.BOMB_SECONDS)
    )
    assert started["ok"] and "bombs away" in started["out"], started
    t_bombs = time.monotonic()
    during, pids_seen = [], []
    while time.monotonic() - t_bombs < isolation.BOMB_SECONDS - 1:
        result = isolation.execute(
            alice, kernels[alice.name], isolation.WORK, timeout=isolation.ROUND_TRIP_LIMIT * 4
        )
        assert result["ok"], f"alice's kernel, with bob's bombs running: {result}"
        during.append(result["ms"])
        pids_seen.append(bob_group.usage()["pids_current"])
    time.sleep(max(0.0, isolation.BOMB_SECONDS + 2 - (time.monotonic() - t_bombs)))
    usage = bob_group.usage()
    alice_usage = alice_group.usage()
    record = Path(dep.home(bob.name)) / "memory-bomb.json"
    killed = json.loads(record.read_text()) if record.exists() else 0
    # bob's own server survives its bombs (his kernel may not: he can restart it)
    after = isolation.execute(bob, isolation.start_kernel(bob), "1 + 1")

    mem_limit, pids_limit = parse_bytes(dep.mem_limit), dep.pids_limit
    print(
        f"alice's round trip ({isolation.WORK}): "
        f"alone median {statistics.median(baseline):.0f} ms, "
        f"during bob's bombs median {statistics.median(during):.0f} ms, "
        f"max {max(during):.0f} ms over {len(during)} round trips\n"
        f"bob's cgroup: processes peak {usage['pids_peak']} (limit {pids_limit}), "
        f"median while measured {statistics.median(pids_seen):.0f}, forks refused "
        f"{usage['pids_refused']}; memory peak {usage['memory_peak'] / 2**20:.0f} MiB "
        f"(limit {mem_limit / 2**20:.0f} MiB), OOM kills {usage['oom_kills']} "
        f"(memory bomb children killed: {killed}); CPU periods throttled "
        f"{usage['cpu_throttled']}\n"
        f"alice's cgroup: processes peak {alice_usage['pids_peak']}, memory peak "
        f"{alice_usage['memory_peak'] / 2**20:.0f} MiB; bob's server after the bombs: {after}"
    )
    assert max(during) / 1000 < isolation.ROUND_TRIP_LIMIT, during
    assert len(during) >= 3, during
    # Contained: bob reached his caps, and they held.
    assert usage["pids_peak"] <= pids_limit and usage["pids_refused"] > 0, usage
    assert usage["memory_peak"] <= mem_limit and usage["oom_kills"] >= 1 and killed >= 1, usage
    assert alice_usage["oom_kills"] == 0 and alice_usage["pids_refused"] == 0, alice_usage
    assert after["ok"] and "2" in after["out"], after


def test_restart_and_the_trial(hub, people):
    """The hub restarts as `make hub`'s trial (shared password): the teacher, logged in by
    LTI before, is still logged in (the cookie secret was kept); a student logs in with the
    trial's password."""
    dep = hub.dep
    timings = {}
    teacher, alice = people(dep.instructors[0]), people(dep.students[0])
    with step("10. the hub restarts (as the trial), nobody is logged out", timings):
        teacher.start_login(next_path="/hub/home")  # by LTI
        dep.auth = "trial"
        dep.save()
        restart_keeps_the_secrets(hub)
        teacher.page.goto(f"{hub.url}/hub/home")  # the login cookie from before the restart
        assert teacher.page.url == f"{hub.url}/hub/home", teacher.page.url
        expect(teacher.page.get_by_text(teacher.name).first).to_be_visible()
        teacher.screenshot("after-restart")
    with step("11. a student logs in with the trial's shared password", timings):
        alice.start_login(next_path="/hub/home")
        assert alice.page.url == f"{hub.url}/hub/home", alice.page.url
        expect(alice.page.get_by_text(alice.name).first).to_be_visible()
        alice.screenshot("trial-login")
