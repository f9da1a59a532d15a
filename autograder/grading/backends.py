"""Where students' notebooks are executed: local worker processes, or a Dask cluster.

Both run ``execute.execute_student`` (pure: notebooks in, executed notebooks and verdicts
out) and hand the results back to the coordinator, which alone writes grades. Both
survive a worker dying mid-run: the local pool is restarted and the unfinished students
resubmitted; Dask's scheduler reschedules the lost tasks on the remaining workers.
"""

import multiprocessing
import os
import uuid
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from . import isolation
from .execute import execute_student
from .sandbox import check_available

MAX_TRIES = 3  # a student whose job broke its worker this often fails alone


def _init_worker():
    """Claim this worker's uid before its first kernel (isolation.py)."""
    isolation.claim_uid()


class LocalPool:
    """``workers`` long-lived processes on this machine."""

    def __init__(self, workers):
        self.workers = workers
        self.pending = {}  # future -> (student, job, tries)
        self.pool = self._new_pool()

    def _new_pool(self):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["autograder.grading.execute"])
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker)

    def describe(self):
        return f"{self.workers} local worker(s)"

    def check(self):
        check_available()

    def load(self):
        """Concurrent kernels per core (time limits scale with it)."""
        return max(1.0, self.workers / (os.cpu_count() or 1))

    def submit(self, student, job, tries=0):
        self.pending[self.pool.submit(execute_student, job)] = (student, job, tries)

    def run_now(self, job):
        return self.pool.submit(execute_student, job).result()

    def completed(self):
        """Yield (student, result or exception) as students finish."""
        while self.pending:
            done, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
            for future in done:
                if future not in self.pending:
                    continue
                student, job, tries = self.pending.pop(future)
                try:
                    yield student, future.result()
                except BrokenProcessPool:
                    yield from self._restart(student, job, tries)
                except Exception as e:  # the job itself failed: this student only
                    yield student, e

    def _restart(self, student, job, tries):
        """A worker died (killed, out of memory): resubmit everyone unfinished."""
        again = [(student, job, tries)] + list(self.pending.values())
        self.pending.clear()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()
        for s, j, t in again:
            if t + 1 >= MAX_TRIES:
                yield s, RuntimeError("its grading worker died repeatedly")
            else:
                self.submit(s, j, t + 1)

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskPool:
    """The workers of a Dask distributed cluster (``dask scheduler`` + ``dask worker``).

    Jobs and results travel through Dask: the workers need the course's environment and
    bubblewrap, not the course directory. A task whose worker dies is rescheduled by the
    scheduler on another worker.
    """

    def __init__(self, address):
        from distributed import Client, as_completed

        self.address = address
        self.client = Client(address, timeout="30s")
        self.students = {}  # future key -> student
        self.running = as_completed()

    def describe(self):
        n = len(self.client.scheduler_info()["workers"])
        return f"the Dask cluster at {self.address} ({n} worker(s))"

    def check(self):
        """Every worker can run the sandbox (raises with the first worker's reason)."""
        if not self.client.scheduler_info()["workers"]:
            raise RuntimeError(f"the Dask cluster at {self.address} has no worker")
        self.client.run(check_available)

    def load(self):
        """Concurrent kernels per core on the busiest host."""
        workers = self.client.scheduler_info()["workers"]
        cpus = self.client.run(os.cpu_count)
        per_host = {}
        for address, info in workers.items():
            threads, cores = per_host.get(info["host"], (0, cpus.get(address) or 1))
            per_host[info["host"]] = (threads + info.get("nthreads", 1), cores)
        return max([1.0] + [t / c for t, c in per_host.values()])

    def _submit(self, student, job):
        return self.client.submit(
            execute_student, job, key=f"rnn-grading-{student}-{uuid.uuid4().hex[:8]}", pure=False
        )

    def submit(self, student, job):
        future = self._submit(student, job)
        self.students[future.key] = student
        self.running.add(future)

    def run_now(self, job):
        return self._submit("calibration", job).result()

    def completed(self):
        for future in self.running:
            student = self.students.pop(future.key)
            try:
                yield student, future.result()
            except Exception as e:  # the job failed on its worker: this student only
                yield student, e
            future.release()

    def close(self):
        self.client.close()


def make(workers, dask=None):
    return DaskPool(dask) if dask else LocalPool(workers)
