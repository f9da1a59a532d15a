"""Real services for the grading tests, started privately: PostgreSQL and a Dask cluster.

PostgreSQL is Debian's (initdb and pg_ctl from /usr/lib/postgresql/*/bin), on a Unix
socket in a private directory and no TCP at all (listen_addresses=''); as root, it runs
as the ``postgres`` user the package creates (initdb refuses root). The Dask cluster is
a ``dask scheduler`` and ``dask worker`` processes on loopback, each worker with its own
working directory (no shared files).
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

BIN = os.path.dirname(sys.executable)


def _pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.skip("PostgreSQL binaries not installed (apt-get install postgresql)")
    return found[-1]


class Postgres:
    """A throwaway PostgreSQL cluster with one database; ``url`` for SQLAlchemy."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="rnn-pg-", dir="/tmp")
        self.data, self.sockets = os.path.join(self.dir, "data"), os.path.join(self.dir, "s")
        os.makedirs(self.sockets)
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.dir, self.user, self.user)
            shutil.chown(self.sockets, self.user, self.user)

    def _run(self, *cmd):
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run(prefix + list(cmd), check=True, capture_output=True, text=True)

    def start(self):
        self._run(_pg_bin("initdb"), "-D", self.data, "-A", "trust", "-U", "grader")
        options = f"-k {self.sockets} -c listen_addresses='' -c fsync=off"
        self._run(_pg_bin("pg_ctl"), "-D", self.data, "-o", options, "-w", "-l",
                  os.path.join(self.dir, "log"), "start")  # fmt: skip
        self._run(_pg_bin("createdb"), "-h", self.sockets, "-U", "grader", "rnn")
        return self

    @property
    def url(self):
        return f"postgresql+psycopg://grader@/rnn?host={self.sockets}"

    def stop(self):
        try:
            self._run(_pg_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskCluster:
    """``dask scheduler`` and ``workers`` x ``dask worker`` (one thread each) on loopback."""

    def __init__(self, workers=2):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.dir = tempfile.mkdtemp(prefix="rnn-dask-")
        self.n = workers
        self.scheduler = None
        self.workers = []

    def _spawn(self, *args, name):
        log = open(os.path.join(self.dir, name + ".log"), "w")  # noqa: SIM115
        return subprocess.Popen(
            [os.path.join(BIN, "dask"), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a worker is killed whole
            env=dict(os.environ, OPENBLAS_NUM_THREADS="1", PATH=BIN + ":" + os.environ["PATH"]),
        )

    def start(self):
        self.scheduler = self._spawn(
            "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
            "--dashboard-address", ":0", "--no-show", name="scheduler",
        )  # fmt: skip
        for i in range(self.n):
            workdir = os.path.join(self.dir, f"worker{i}")
            os.makedirs(workdir)
            self.workers.append(self._spawn(
                "worker", self.address, "--nthreads", "1", "--nworkers", "1",
                "--local-directory", workdir, "--no-dashboard", "--name", f"w{i}",
                name=f"worker{i}",
            ))  # fmt: skip
        self._wait_for_workers()
        return self

    def _wait_for_workers(self, timeout=60):
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(self.n, timeout=timeout)

    def kill_worker(self, i):
        """SIGKILL a worker and its nanny: what losing a machine looks like."""
        os.killpg(self.workers[i].pid, signal.SIGKILL)
        self.workers[i].wait()

    def log(self, name):
        with open(os.path.join(self.dir, name + ".log")) as f:
            return f.read()

    def stop(self):
        for p in self.workers + [self.scheduler]:
            if p is not None and p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.time() + 10
        for p in self.workers + [self.scheduler]:
            if p is not None:
                try:
                    p.wait(max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)
