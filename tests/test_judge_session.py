"""The judge of one kernel session (autograder/grading/judge_server.py), in-process: which
notebook it serves, what it costs the grader, what its verdicts reveal. No sandbox runs."""

import socket
import struct

import nbformat
import numpy as np
import pytest

from autograder.grading import execute
from autograder.grading.judge_server import MAX_REQUEST_BYTES, JudgeServer, JudgeSession
from course.exercises import EXERCISES, notebooks
from course.exercises.cases import rng
from course.judge import all_cases, judge
from helpers.checks import serial

NB = notebooks()


def session(notebook=NB[1], **kw):
    return JudgeSession("secret:ada", None, "ada", notebook=notebook, **kw)


def test_a_session_serves_only_the_notebook_the_grader_named():
    """Issue 20, 8: notebook 2's kernel asked first for notebook 4's tests and got their
    hidden inputs (and the reference-derived values among them)."""
    judge = session(NB[1])
    reply = judge.handle({"op": "begin", "check": "spectral_radius"})
    assert "error" in reply and "cases" not in reply
    assert "not a test of the notebook being graded" in reply["error"]
    assert "cases" in judge.handle({"op": "begin", "check": "rnn_forward"})


def test_a_session_without_a_notebook_serves_nothing():
    reply = session(None).handle({"op": "begin", "check": "softmax"})
    assert "error" in reply and "cases" not in reply


def test_the_grader_names_the_notebook_of_every_kernel(monkeypatch, tmp_path):
    """run_notebook binds the judge of the kernel it starts to the notebook it runs."""
    made = []

    class Kernel:
        def __init__(self, *args, **kw):
            self.session = JudgeSession("s", None, notebook=kw.get("notebook"))
            made.append(self)

        def open(self):
            raise OSError("no sandbox in this test")

        def close(self):
            pass

    monkeypatch.setattr(execute, "GradingKernel", Kernel)
    settings = execute._settings({"student": "ada", "secret": "s"})
    text = nbformat.writes(nbformat.v4.new_notebook())
    record = execute.run_notebook(NB[3], text, str(tmp_path), settings, {})
    assert "sandbox failed" in record["status"]
    assert [k.session.notebook for k in made] == [NB[3]]


def test_the_judge_cpu_per_session_is_bounded():
    """Issue 20, 10: the judge's work runs outside the kernel's CPU limit (20 s of the
    grader's CPU for one student); past its budget every request is refused and the open
    check fails, saying why."""
    judge = session(NB[0], cpu_seconds=0.2)
    assert "cases" in judge.handle({"op": "begin", "check": "clip_gradients"})
    big = np.ones((1000, 1000))
    for _ in range(2000):
        reply = judge.handle({"op": "call", "name": "softmax", "args": [big]})
        if "error" in reply and "CPU" in reply["error"]:
            break
    else:
        pytest.fail("the judge kept working past its CPU budget")
    assert judge.cpu_used < 1.0
    assert "CPU" in judge.verdicts["clip_gradients"]["message"]
    assert not judge.verdicts["clip_gradients"]["passed"]
    assert "error" in judge.handle({"op": "begin", "check": "softmax"})


def _send_raw(path, payload):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(20)
        sock.connect(path)
        try:
            sock.sendall(struct.pack(">I", len(payload)) + payload)
            return sock.recv(4) or None
        except ConnectionError:  # the judge closed the connection
            return None


def test_a_request_larger_than_the_limit_is_refused_unread(tmp_path):
    server = JudgeServer(str(tmp_path / "judge.sock"), session()).start()
    try:
        small = serial.encode({"op": "call", "name": "x", "args": []})
        assert _send_raw(server.path, small) is not None  # answered (an error)
        big = serial.encode({"op": "call", "name": "x", "args": ["x" * MAX_REQUEST_BYTES]})
        assert _send_raw(server.path, big) is None  # closed, nothing decoded
    finally:
        server.stop()


def test_hidden_test_messages_do_not_show_expected_values():
    """Issue 20, 8: a failed hidden test said "(yours 0, expected 0.4213)": the feedback
    then holds a hidden case's inputs and its answer. It says which test failed and what
    is wrong, without the expected data; a visible test still shows it."""
    exercise = EXERCISES["softmax"]
    cases = all_cases("softmax", "secret:ada")
    n_visible = len(exercise.visible(rng(exercise.seed)))
    right = [{"ok": exercise.runner.run(exercise.reference, c.inputs)} for c in cases]

    def wrong_at(i):
        results = list(right)
        out = dict(results[i]["ok"])
        out["probs"] = np.asarray(out["probs"])[..., ::-1]  # still sums to 1
        results[i] = {"ok": out}
        return judge("softmax", cases, results)

    visible, hidden = wrong_at(0), wrong_at(n_visible)
    assert not visible.passed and "expected" in visible.message
    assert not hidden.passed and "hidden test" in hidden.message
    assert "probs" in hidden.message and "wrong" in hidden.message
    expected_value = np.asarray(right[n_visible]["ok"]["probs"])
    assert "expected" not in hidden.message, hidden.message
    assert f"{expected_value.flat[0]:.6g}" not in hidden.message
