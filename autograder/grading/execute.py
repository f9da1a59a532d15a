"""Run one student's notebooks: the pure execution step of grading.

``execute_student(job)`` takes the student's sanitized notebooks (JSON text, hidden tests
included), the course secret and the limits, and returns the executed notebooks with the
judge's verdicts, what happened to each kernel, and how long every cell took. It reads no
course file and writes nothing but its own scratch directory, so it runs the same in a
local worker process, in a Dask worker on another machine, or on the spot in nbgrader's
own ``autograde`` (preprocessors.SandboxedExecute).

Notebooks run in order, once each, each in its own sandboxed kernel (kernel.py), in a
scratch directory that holds the notebooks already executed: that is where the next
notebook's ``import_from_notebook`` finds the student's earlier code. Answer cells that
did not finish when their notebook ran (stopped at their time limit, or running when the
kernel died) are listed in that copy's metadata, and the import never runs them again:
the later notebook gets a stand-in that says why (helpers/notebooks.py). A hang is paid
once, and costs only its own exercises.

The code cells after a notebook's last test cell are not run (notebook 7 trains its
language model there): no test follows them, so they cannot change a score, and no later
notebook imports them (cells it imports still run). The feedback shows a note instead of
their outputs; the student's own notebook runs them.
"""

import atexit
import json
import os
import shutil
import tempfile
import threading
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from helpers.notebooks import CARRIED_TAG

from ..untrusted import output_bounds
from . import isolation
from .kernel import GradingKernel, kill_process_tree, runtime_base
from .sandbox import Limits
from .timing import TimeLimits, cell_key

TIMEOUT = "CellTimeoutError"
STOPPED = "KernelStopped"
UNAVAILABLE = "rnn_grading"  # notebook metadata read by helpers.notebooks


def _is_carried(cell):
    """Would ``import_from_notebook`` run this cell (answer cells and CARRIED_TAG cells)?"""
    meta = cell.get("metadata", {})
    return cell.get("cell_type") == "code" and (
        meta.get("nbgrader", {}).get("solution") or CARRIED_TAG in meta.get("tags", [])
    )


def is_test(cell):
    """nbgrader's ``utils.is_grade``, read from the metadata as ``_is_carried`` reads it: a
    grading worker runs no other nbgrader code, and importing nbgrader (its package loads
    its server extensions) cost every worker process 0.84 CPU-s, measured."""
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade", False))


def after_the_last_test(nb):
    """Indices of the code cells that follow the notebook's last test cell and that no
    later notebook imports (none in a notebook without a test cell)."""
    tests = [i for i, cell in enumerate(nb.cells) if is_test(cell)]
    if not tests:
        return []
    return [
        i
        for i in range(tests[-1] + 1, len(nb.cells))
        if nb.cells[i].cell_type == "code"
        and nb.cells[i].source.strip()
        and not _is_carried(nb.cells[i])
    ]


NOT_RUN = (
    "Not run while grading: no test cell follows this cell, so it cannot change your "
    "score. It runs in your own notebook.\n"
)


def _error(ename, evalue):
    return nbformat.v4.new_output(
        "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
    )


class BoundedClient(NotebookClient):
    """nbclient's NotebookClient that keeps a bounded part of each cell's outputs while
    they arrive, so the worker's memory stays bounded whatever the kernel sends; the
    cell's outputs are bounded exactly (output_bounds.bound_cell) when it is done."""

    LIVE_OUTPUTS = 10 * output_bounds.MAX_OUTPUTS  # before consecutive prints are merged
    LIVE_CHARS = 2 * output_bounds.MAX_CELL_CHARS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.received = {}  # cell index -> [outputs kept, characters kept]
        self.left_out = {}  # cell index -> [outputs left out, their characters]

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content") or {}
        size = output_bounds.output_chars(dict(content, output_type=msg.get("msg_type")))
        kept = self.received.setdefault(cell_index, [0, 0])
        if kept[0] >= self.LIVE_OUTPUTS or kept[1] + size > self.LIVE_CHARS:
            # left out before nbclient builds (and validates) an output of it: 100,000
            # tiny outputs took 52 s
            dropped = self.left_out.setdefault(cell_index, [0, 0])
            dropped[0], dropped[1] = dropped[0] + 1, dropped[1] + size
            return None
        out = super().output(outs, msg, display_id, cell_index)
        if out is not None:
            kept[0], kept[1] = kept[0] + 1, kept[1] + size
        return out


class NotebookRun:
    """The execution of one notebook in one sandboxed kernel, with a time limit per cell
    and one for the whole notebook."""

    def __init__(self, name, notebook, kernel, times, carried):
        self.name, self.nb, self.kernel = name, notebook, kernel
        self.times, self.carried = times, carried
        self.cell_seconds = {}  # key -> seconds
        self.stopped = {}  # key -> why the cell did not finish
        self.running = None  # (index, key, start) of the cell being executed
        self.deadline_hit = False
        self.limit = times.notebook(name, carried)
        self.index = {id(cell): i for i, cell in enumerate(notebook.cells)}
        self.km = None
        self.budget = output_bounds.Budget()  # the notebook's outputs (output_bounds.py)
        self.client = None

    def timeout(self, cell):
        key = cell_key(cell, self.index[id(cell)])
        return self.times.cell(self.name, key, cell.source, self.carried)

    def on_cell_start(self, cell, cell_index, **_):
        self.running = (cell_index, cell_key(cell, cell_index), time.perf_counter())

    def on_cell_executed(self, cell, cell_index, execute_reply, **_):
        left_out = self.client.left_out.pop(cell_index, (0, 0)) if self.client else (0, 0)
        cell.outputs = output_bounds.bound_cell(cell.outputs, self.budget, left_out)
        index, key, start = self.running
        self.running = None
        self.cell_seconds[key] = round(time.perf_counter() - start, 3)
        content = (execute_reply or {}).get("content", {})
        if content.get("ename") == TIMEOUT:
            why = f"stopped after {self.timeout(cell):g} s, its time limit"
            self.stopped[key] = why
            cell.outputs.append(_error(TIMEOUT, f"the cell was {why}"))

    def _stop(self):
        self.deadline_hit = True
        if self.km is not None:
            kill_process_tree(self.km)
        self.kernel.stop_everything()

    def execute(self):
        """Run the notebook; return its status ("graded" or why it did not finish)."""
        self.km = self.kernel.manager()
        client = self.client = BoundedClient(
            self.nb,
            km=self.km,
            timeout_func=self.timeout,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": TIMEOUT, "evalue": "", "traceback": []},
            allow_errors=True,
            startup_timeout=self.times.kernel_startup_seconds,
            on_cell_start=self.on_cell_start,
            on_cell_executed=self.on_cell_executed,
        )
        # nbclient skips a cell without source: these keep theirs, and get a note instead
        # of outputs, once the run is over.
        skipped = {i: self.nb.cells[i].source for i in after_the_last_test(self.nb)}
        for i in skipped:
            self.nb.cells[i].source = ""
        timer = threading.Timer(self.limit, self._stop)
        timer.start()
        try:
            client.execute(cleanup_kc=True, **self.kernel.launch_options())
            return "graded"
        except DeadKernelError:
            return self._died()
        except Exception as e:  # the kernel could not start, or nbclient gave up
            return self._died(f"{type(e).__name__}: {e}")
        finally:
            timer.cancel()
            atexit.unregister(client._cleanup_kernel)  # nbclient leaves it if the start fails
            for i, source in skipped.items():
                cell = self.nb.cells[i]
                cell.source = source
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=NOT_RUN)]

    def _died(self, detail=None):
        if self.deadline_hit:
            why = f"the notebook exceeded its {self.limit:g} s limit and its kernel was stopped"
        else:
            why = (
                detail
                or f"the kernel ended ({self._exit_status()}: memory or CPU limit, or a crash)"
            )
        self._mark_unfinished(why)
        return f"could not be run to the end: {why}"

    def _exit_status(self):
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        return "exit status unknown" if code is None else f"exit status {code}"

    def _mark_unfinished(self, why):
        """The cell that was running and every cell after it did not finish."""
        first = len(self.nb.cells)
        if self.running is not None:
            first, key, _ = self.running
            self.stopped[key] = f"the kernel stopped while it ran ({why})"
            self.nb.cells[first].setdefault("outputs", []).append(_error(STOPPED, why))
            first += 1
        for index in range(first, len(self.nb.cells)):
            cell = self.nb.cells[index]
            if cell.cell_type == "code" and cell.source.strip():
                self.stopped[cell_key(cell, index)] = "it did not run: the kernel had stopped"

    def record(self, seconds):
        """What the coordinator needs of this run."""
        carried = [cell_key(c, i) for i, c in enumerate(self.nb.cells) if _is_carried(c)]
        return {
            "notebook": self.nb,
            "verdicts": self.kernel.session.verdicts,
            "events": list(self.kernel.session.events),
            "seconds": round(seconds, 2),
            "limit": self.limit,
            "cell_seconds": self.cell_seconds,
            "stopped": self.stopped,
            "carry_seconds": round(
                sum(self.cell_seconds.get(k, 0.0) for k in carried if k not in self.stopped), 3
            ),
        }


def unfinished(run):
    """{grade id: why} of the cells that did not finish (answer and export cells all
    have grade ids; the others do not matter to the imports)."""
    return {k: v for k, v in run["stopped"].items() if not k.startswith("#")}


def for_import(run):
    """The executed notebook as the next notebooks' imports see it: with the cells that
    did not finish listed, so that they are not run again."""
    nb = json.loads(json.dumps(run["notebook"]))
    nb.setdefault("metadata", {}).setdefault(UNAVAILABLE, {})["unavailable"] = unfinished(run)
    return nb


def run_notebook(name, text, workdir, settings, carried):
    """Execute one notebook (JSON text) in ``workdir``; return its record (see
    NotebookRun.record)."""
    t0 = time.perf_counter()
    nb = nbformat.reads(text, as_version=4)
    path = os.path.join(workdir, name + ".ipynb")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    kernel = GradingKernel(
        workdir,
        settings["limits"],
        settings["salt"],
        settings["student"],
        isolation.claim_uid(),
        settings["run"],
        notebook=name,
    )
    run = NotebookRun(name, nb, kernel, settings["times"], carried)
    try:
        kernel.open()
        status = run.execute()
    except OSError as e:  # the sandbox could not be set up: this notebook fails alone
        status = f"could not be run: the grading sandbox failed ({e})"
    finally:
        kernel.close()
    record = run.record(time.perf_counter() - t0)
    record["status"] = status
    return record


def machine_load():
    """Runnable processes per core on this machine now (1-minute load average)."""
    try:
        return os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:
        return 0.0


def _settings(job):
    times = TimeLimits(**job.get("times", {}))
    # The coordinator knows how many kernels it runs per core; the machine may be busier
    # still (other work on a shared machine). The limits follow the load average, but at
    # most to twice the expected load: spinning processes a cgroup holds to its CPU quota
    # (a fork bomb) count in the load average without slowing anyone down by as much.
    times.load = max(1.0, times.load, min(machine_load(), 2 * times.load))
    return {
        "limits": Limits(**job.get("limits", {})),
        "times": times,
        "salt": f"{job['secret']}:{job['student']}",
        "student": job["student"],
        "run": job.get("run", "run"),  # kernels of one grading run share a cgroup
    }


def execute_student(job):
    """Execute a student's notebooks in order; the pure step Dask or a local pool runs.

    ``job``: {"student", "secret", "notebooks": [[name, notebook JSON text], ...] in
    course order, "limits": sandbox.Limits fields, "times": timing.TimeLimits fields,
    and optionally "earlier": notebooks already executed, for the imports, and "run":
    a name shared by the jobs of one grading run}.
    Returns {"student", "seconds", "host", "notebooks": {name: record}}.
    """
    t0 = time.perf_counter()
    settings = _settings(job)
    workdir = tempfile.mkdtemp(prefix="s-", dir=runtime_base())
    os.chmod(workdir, 0o755)
    runs, carried = {}, {}
    for name, text in job.get("earlier", []):  # already executed (nbgrader autograde)
        path = os.path.join(workdir, name + ".ipynb")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
    try:
        for name, text in job["notebooks"]:
            record = run_notebook(name, text, workdir, settings, carried)
            runs[name] = record
            carried[name] = record["carry_seconds"]
            path = os.path.join(workdir, name + ".ipynb")
            with open(path, "w") as f:
                json.dump(for_import(record), f)
            os.chmod(path, 0o644)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "student": job["student"],
        "seconds": round(time.perf_counter() - t0, 2),
        "host": os.uname().nodename,
        "notebooks": runs,
    }
