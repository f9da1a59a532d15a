"""The trusted judge of one kernel session, served on a Unix socket.

It runs in the kernel launcher, outside the sandbox, and is the only place where the
reference solution is loaded during grading. The kernel asks it for test inputs,
sends back the student's outputs and receives a verdict; the judge records every
verdict in a file the sandbox cannot reach, and the pipeline scores from that file,
not from what the kernel displayed.

Rules that keep the channel from leaking answers:
  - one check at a time: starting a check abandons (fails) an unfinished one;
  - every check runs once per session: a second attempt is refused, the first
    verdict stands (so failure messages cannot be used to probe the expected values);
  - a reference function is served only while a check that declares it as a
    collaborator is open (never for the exercise being graded);
  - a session grades one notebook, named by the grader when it starts the kernel (never
    by the kernel's requests): a check of another notebook is refused, so one notebook's
    kernel cannot fetch the hidden inputs (and reference-derived values) of another;
  - the judge's own work for one session is bounded (CPU seconds, and the size of one
    request): it runs outside the kernel's limits, on the grader's CPU.
"""

import json
import os
import socket
import threading
import time

from course.exercises import EXERCISES
from course.judge import all_cases, judge, served_collaborators
from helpers.checks import serial
from helpers.checks.core import quiet_numpy

from ..harness.client import NET, net_gradients, recv_bytes, send_message
from .settings import GradingSandbox, default

MAX_CALLS_PER_CHECK = 100_000
# The judge's CPU time per session: c.GradingSandbox.judge_cpu_seconds (settings.py, with
# its measurement). Measured: the largest request is ~8 MB (rnn_init's outputs).
CPU_SECONDS_PER_SESSION = default(GradingSandbox, "judge_cpu_seconds")
MAX_REQUEST_BYTES = 16 * 1024 * 1024


class _GradientHolder:
    """A layer rebuilt from the wire: gradients only (what clipping needs)."""

    def __init__(self, grads):
        self.grads = grads

    def get_params(self):
        for i, g in enumerate(self.grads):
            yield None, g, f"g{i}"


def call_reference(fn, args):
    """Call the reference ``fn`` on wire arguments; return its value and the networks'
    gradients after the call (the kernel writes them back into the real layers)."""
    nets = [
        [_GradientHolder([g.astype(float) for g in layer]) for layer in a[NET]]
        if isinstance(a, dict) and NET in a
        else None
        for a in args
    ]
    value = fn(*[net if net is not None else a for a, net in zip(args, nets, strict=True)])
    return {"value": value, "nets": [net_gradients(net) for net in nets if net is not None]}


class JudgeSession:
    """State of one kernel session; ``handle`` answers one request."""

    def __init__(
        self, salt, record_path, student=None, notebook=None, cpu_seconds=CPU_SECONDS_PER_SESSION
    ):
        self.salt, self.record_path, self.student = salt, record_path, student
        self.notebook = notebook  # the notebook being graded (None: no check is served)
        self.cpu_seconds, self.cpu_used = cpu_seconds, 0.0
        self.verdicts = {}
        self.events = []  # what happened to the kernel, for the grading summary
        self.started = time.time()
        self.open = None  # (check_id, cases, calls)
        self.lock = threading.Lock()

    def handle(self, msg):
        with self.lock:
            start = time.thread_time()
            try:
                return self._handle(msg)
            finally:
                self.cpu_used += time.thread_time() - start

    def charge(self, seconds):
        """Count ``seconds`` of the judge's CPU (decoding a request) against the session."""
        with self.lock:
            self.cpu_used += seconds

    def _handle(self, msg):
        if self.cpu_used > self.cpu_seconds:
            self._abandon_open(
                f"the hidden tests used more than the grader's {self.cpu_seconds:g} s of "
                "CPU for this notebook"
            )
            return {"error": "the grader's CPU time for this notebook is used up"}
        op = msg.get("op") if isinstance(msg, dict) else None
        if op == "begin":
            return self._begin(msg.get("check"))
        if op == "call":
            return self._call(msg.get("name"), msg.get("args"))
        if op == "finish":
            return self._finish(msg.get("check"), msg.get("outputs"))
        return {"error": "unknown request"}

    def _begin(self, check_id):
        if check_id not in EXERCISES:
            return {"error": f"unknown check {check_id!r}"}
        if EXERCISES[check_id].notebook != self.notebook:
            return {"error": f"{check_id} is not a test of the notebook being graded"}
        self._abandon_open()
        if check_id in self.verdicts:
            return {
                "error": f"the hidden tests of {check_id} already ran in this session; "
                "the first result stands"
            }
        cases = all_cases(check_id, self.salt)
        self.open = [check_id, cases, 0]
        self.verdicts[check_id] = {
            "check": check_id,
            "passed": False,
            "cases": len(cases),
            "message": "the hidden tests did not finish",
        }
        self._save()
        return {"cases": [c.inputs for c in cases]}

    def _call(self, name, args):
        if self.open is None:
            return {"error": "no such function is available now"}
        check_id = self.open[0]
        served = served_collaborators(check_id)
        if name not in served:
            return {"error": f"{name} is not available during the tests of {check_id}"}
        self.open[2] += 1
        if self.open[2] > MAX_CALLS_PER_CHECK:
            return {"error": "too many calls"}
        if not isinstance(args, list):
            return {"error": "bad arguments"}
        try:
            with quiet_numpy():
                return {"result": call_reference(served[name], args)}
        except Exception as e:  # the student's arguments were bad: tell the student's code
            return {"error": f"{type(e).__name__}: {e}"}

    def _finish(self, check_id, outputs):
        if self.open is None or self.open[0] != check_id:
            return {"error": f"the hidden tests of {check_id} were not started"}
        _, cases, _ = self.open
        self.open = None
        verdict = judge(check_id, cases, outputs).as_dict()
        self.verdicts[check_id] = verdict
        self._save()
        return {"verdict": verdict}

    def _abandon_open(self, why="the hidden tests were abandoned"):
        if self.open is not None:
            self.verdicts[self.open[0]]["message"] = why
            self.open = None
            self._save()

    def note(self, event):
        with self.lock:
            self.events.append(event)
            self._save()

    def close(self):
        with self.lock:
            self._abandon_open()
            self._save()

    def _save(self):
        if not self.record_path:
            return
        record = {
            "student": self.student,
            "notebook": self.notebook,
            "started": self.started,
            "events": self.events,
            "verdicts": self.verdicts,
        }
        tmp = self.record_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(record, f, indent=1)
        os.replace(tmp, self.record_path)


class JudgeServer:
    """Serve a JudgeSession on a Unix socket: a thread per connection (so a connection the
    student's code leaves open cannot block the real tests), requests serialized by the
    session's lock."""

    MAX_CONNECTIONS = 16

    def __init__(self, path, session, mode=0o666):
        self.path, self.session = path, session
        if os.path.exists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, mode)  # the sandboxed kernel runs as another user
        self.sock.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.stopped = False
        self.slots = threading.BoundedSemaphore(self.MAX_CONNECTIONS)

    def start(self):
        self.thread.start()
        return self

    def _serve(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if not self.slots.acquire(blocking=False):
                conn.close()  # too many open connections: refuse, keep serving the rest
                continue
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn):
        try:
            with conn:
                conn.settimeout(600)
                while True:
                    msg = recv_bytes(conn, MAX_REQUEST_BYTES)
                    start = time.thread_time()  # decoding costs the judge too
                    msg = serial.decode(msg)
                    self.session.charge(time.thread_time() - start)
                    send_message(conn, self.session.handle(msg))
        except (ConnectionError, OSError, ValueError):
            pass  # the client went away or sent garbage; the session's state is kept
        finally:
            self.slots.release()

    def stop(self):
        self.stopped = True
        try:
            self.sock.close()
        finally:
            self.session.close()
            if os.path.exists(self.path):
                os.unlink(self.path)
