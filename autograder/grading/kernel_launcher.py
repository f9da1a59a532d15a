"""Kernel launcher used by the grading kernelspec: judge outside, student kernel inside.

nbgrader (through nbclient) starts a kernel by running the kernelspec's argv:

    python -m autograder.grading.kernel_launcher {connection_file}

This process stays outside the sandbox. It starts the judge for this session on a
Unix socket, then runs ipykernel in the sandbox (see sandbox.py) with that socket
and the connection file visible, waits for it, and enforces the whole-notebook
wall-clock limit. When the kernel ends, for whatever reason, the judge writes its
verdicts to the results directory, which the sandbox cannot see.

Configuration comes from the JSON file named by RNN_GRADING_CONFIG (written by the
pipeline): {"results_dir", "secret", "assignment", "limits": {...}}.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from ..paths import ROOT
from . import sandbox
from .judge_server import JudgeServer, JudgeSession

# The IPython startup file of every grading kernel: cap each cell's output.
STARTUP = "from autograder.harness.output_cap import install\n\ninstall({limit})\n"


def student_from_cwd(cwd, assignment):
    """autograded/<student>/<assignment> -> <student> (None if the layout is unexpected)."""
    head, tail = os.path.split(os.path.realpath(cwd))
    return os.path.basename(head) if tail == assignment else None


def prepare_runtime(base, limits, owner):
    """A private runtime directory for one kernel: IPython profile with the output cap."""
    runtime = tempfile.mkdtemp(prefix="kernel-", dir=base)
    startup = os.path.join(runtime, "ipython", "profile_default", "startup")
    os.makedirs(startup)
    with open(os.path.join(startup, "00-grading.py"), "w") as f:
        f.write(STARTUP.format(limit=limits.output_bytes_per_cell))
    if owner is not None:
        for d, dirs, files in os.walk(runtime):
            for name in [d] + [os.path.join(d, x) for x in dirs + files]:
                os.chown(name, owner, owner)
    return runtime


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    connection_file = os.path.realpath(argv[0])
    with open(os.environ["RNN_GRADING_CONFIG"]) as f:
        config = json.load(f)
    limits = sandbox.Limits(**config.get("limits", {}))
    owner = sandbox.NOBODY if os.geteuid() == 0 else None
    cwd = os.getcwd()
    student = student_from_cwd(cwd, config["assignment"])

    with open(connection_file) as f:
        connection = json.load(f)
    if connection.get("transport") != "ipc" or not os.path.isabs(connection.get("ip", "")):
        sys.exit(
            "grading kernels need --KernelManager.transport=ipc and an absolute "
            "--KernelManager.ip: the sandbox has no network"
        )
    # The kernel creates its sockets at <ip>-<port>, in the grading worker's private
    # directory: that directory (not the one holding the connection file, often /tmp) is
    # what the sandbox may write to.
    worker_dir = os.path.dirname(os.path.realpath(connection["ip"]))
    runtime = prepare_runtime(worker_dir, limits, owner)
    # The kernel reads its connection file from inside the sandbox, as its own user.
    kernel_connection = os.path.join(runtime, "connection.json")
    shutil.copy(connection_file, kernel_connection)
    if owner is not None:
        os.chown(kernel_connection, owner, owner)
    os.chmod(kernel_connection, 0o600)

    results = os.path.join(config["results_dir"], student or "unknown")
    os.makedirs(results, exist_ok=True)
    record = os.path.join(results, f"session-{os.path.basename(runtime)}.json")
    session = JudgeSession(
        salt=f"{config['secret']}:{student}", record_path=record, student=student
    )
    judge_socket = os.path.join(runtime, "judge.sock")
    server = JudgeServer(judge_socket, session).start()

    spec = sandbox.SandboxSpec(
        submission_dir=cwd,
        runtime_dir=worker_dir,
        limits=limits,
        env={
            "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
            "HOME": "/tmp",
            "IPYTHONDIR": os.path.join(runtime, "ipython"),
            "MPLCONFIGDIR": "/tmp/matplotlib",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "NBGRADER_EXECUTION": "autograde",
            "RNN_JUDGE_SOCKET": judge_socket,
            # The course's own helpers and harness, as bound into the sandbox, whatever
            # way the course is installed in the venv.
            "PYTHONPATH": ROOT,
            "PYTHONDONTWRITEBYTECODE": "1",
        },
    )
    cmd = sandbox.kernel_command(
        spec,
        [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            kernel_connection,
            "--HistoryManager.hist_file=:memory:",
        ],
    )
    if os.environ.get("RNN_SANDBOX_DEBUG"):
        print("sandbox:", " ".join(cmd), file=sys.stderr)
    proc = subprocess.Popen(cmd, preexec_fn=sandbox.apply_limits(limits))

    def forward(signum, _frame):
        if proc.poll() is None:
            proc.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, forward)
    deadline = time.monotonic() + limits.wall_seconds
    code = None
    while code is None:
        try:
            code = proc.wait(timeout=max(0.1, min(1.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                session.note(
                    f"the notebook exceeded its {limits.wall_seconds} s limit "
                    f"and its kernel was stopped"
                )
                proc.kill()
                code = proc.wait()
    if code != 0 and not session.events:
        session.note(
            f"the kernel ended with exit status {code}"
            + (" (memory or CPU limit, or a crash)" if code < 0 else "")
        )
    server.stop()
    shutil.rmtree(runtime, ignore_errors=True)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
