"""Fixtures for the browser tests: a JupyterLab server and headless Chromium (Playwright).

- ``jupyter_server`` (session): ``jupyter lab`` from the project's venv on a free loopback
  port, the repository as root directory, a random token, and isolated user state (its
  own config, data, runtime and IPython directories, user settings and workspaces), so
  nothing on the developer's machine changes what the tests see. The venv's
  share/jupyter, where the labextensions live, stays on the data path.
- ``browser`` (session, tests/chromium.py, shared with tests/hub): Debian's
  /usr/bin/chromium through Playwright's sync API. Never a downloaded browser.
- ``lab`` (per test): a fresh page and a ``LabSession`` with the helpers the tests use:
  open a notebook, run all cells, collect error outputs, take screenshots.

Screenshots go to <repo>/test-artifacts/browser/ (git-ignored).
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from chromium import VIEWPORT
from playwright.sync_api import Error as PlaywrightError

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
# Not resolved: .venv/bin/python is a symlink to the system interpreter.
VENV_BIN = Path(sys.executable).parent

SERVER_START_TIMEOUT = 60  # s
OPEN_TIMEOUT = 60  # s: the page, the notebook and an idle kernel
RUN_TIMEOUT = 120  # s: Run All Cells until every cell is done
POLL_MS = 200

# User settings for the isolated JupyterLab (<user_settings_dir>/<plugin>.jupyterlab-settings).
LAB_SETTINGS = {
    # No news/announcements toast and no update check (both would go to the internet).
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    # Never write a course notebook back to disk: the tests run them but must not save.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # Every cell in the DOM, so every prompt and output can be inspected.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


_phase_reports = pytest.StashKey[dict]()
_screenshots = pytest.StashKey[dict]()


# --- JupyterLab server ------------------------------------------------------------------------


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """A running ``jupyter lab`` subprocess; ``url(...)`` builds authenticated URLs."""

    def __init__(self, proc, port, token, log_path):
        self.proc = proc
        self.port = port
        self.token = token
        self.log_path = log_path
        self.base_url = f"http://127.0.0.1:{port}"

    def url(self, path, **query):
        query["token"] = self.token
        return f"{self.base_url}/{path.lstrip('/')}?{urllib.parse.urlencode(query)}"

    def log_tail(self, n_chars=6000):
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as e:
            return f"(no server log: {e})"
        return text[-n_chars:]

    def api(self, method, path, timeout=10):
        req = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"jupyter lab exited with code {self.proc.returncode} before "
                    f"answering.\n--- server log ---\n{self.log_tail()}"
                )
            try:
                self.api("GET", "api/status", timeout=2)
                return
            except (urllib.error.URLError, OSError, ValueError) as e:
                last_error = e
            time.sleep(0.2)
        pytest.fail(
            f"jupyter lab did not answer /api/status within {timeout} s "
            f"(last error: {last_error}).\n--- server log ---\n{self.log_tail()}"
        )

    def shutdown_kernels(self):
        """Shut down every session and kernel (best effort; the server may be gone)."""
        try:
            for session in self.api("GET", "api/sessions"):
                self.api("DELETE", f"api/sessions/{session['id']}", timeout=20)
            for kernel in self.api("GET", "api/kernels"):
                self.api("DELETE", f"api/kernels/{kernel['id']}", timeout=20)
        except (urllib.error.URLError, OSError, ValueError):
            pass

    def stop(self):
        if self.proc.poll() is None:
            self.shutdown_kernels()
            self.proc.send_signal(signal.SIGTERM)  # the server also shuts down its kernels
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own process group, see Popen
                self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory):
    jupyter = VENV_BIN / "jupyter"
    if not jupyter.exists():
        pytest.fail(
            f"{jupyter} not found: run the tests with the project's venv "
            "(.venv/bin/python -m pytest, or make test)"
        )
    state = tmp_path_factory.mktemp("jupyter-state")
    settings_dir = state / "user-settings"
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))
    workspaces_dir = state / "workspaces"
    workspaces_dir.mkdir()

    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(
        # Isolated user-level state. The venv's etc/jupyter and share/jupyter (server
        # extensions, labextensions, the python3 kernel) are still found through sys.prefix.
        JUPYTER_CONFIG_DIR=str(state / "config"),
        JUPYTER_DATA_DIR=str(state / "data"),
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        IPYTHONDIR=str(state / "ipython"),
        PYDEVD_DISABLE_FILE_VALIDATION="1",  # no debugpy warning on every kernel's stderr
    )
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    env.pop("JUPYTER_TOKEN", None)

    port = _free_port()
    token = secrets.token_hex(16)
    cmd = [
        str(jupyter),
        "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={REPO_ROOT}",
        "--ServerApp.terminals_enabled=False",
        # Opening a notebook creates a checkpoint (a copy) next to it, in .ipynb_checkpoints/:
        # keep those out of the repository.
        f"--FileCheckpoints.checkpoint_dir={state / 'checkpoints'}",
        f"--LabApp.user_settings_dir={settings_dir}",
        f"--LabApp.workspaces_dir={workspaces_dir}",
        # window.jupyterapp: the tests read output types from the notebook model (an error
        # and a stderr stream render identically in the DOM).
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.extension_manager=readonly",  # no PyPI queries
    ]
    log_path = state / "jupyter-lab.log"
    with open(log_path, "wb") as log:
        # Its own process group, so a server that ignores SIGTERM can be killed with it.
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = JupyterServer(proc, port, token, log_path)
    try:
        server.wait_ready(SERVER_START_TIMEOUT)
        yield server
    finally:
        server.stop()


# --- per-test page and helpers ------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_phase_reports, {})[report.when] = report
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    shots = config.stash.get(_screenshots, {})
    if not shots:
        return
    terminalreporter.section("browser screenshots")
    for test, paths in shots.items():
        terminalreporter.write_line(f"{test}:")
        for path in paths:
            terminalreporter.write_line(f"    {path}")


# State of one notebook panel: kernel, DOM prompts, the model's outputs, open dialogs.
_STATE_JS = """
(path) => {
  const app = window.jupyterapp;
  const dialogs = Array.from(document.querySelectorAll('.jp-Dialog'))
    .map(d => d.innerText.trim().slice(0, 2000));
  if (!app || !app.shell) return {open: false, dialogs};
  let panel = null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.model) { panel = w; }
  }
  if (!panel) return {open: false, dialogs};
  const session = panel.sessionContext.session;
  const kernel = session ? session.kernel : null;
  const indicator = panel.node.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = Array.from(panel.content.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
    .map(e => e.textContent.trim());
  const cells = [];
  const model = panel.content.model;
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    if (cell.type !== 'code') continue;
    const errors = [];
    for (let j = 0; j < cell.outputs.length; j++) {
      const out = cell.outputs.get(j);
      if (out.type === 'error') {
        const o = out.toJSON();
        errors.push({ename: o.ename, evalue: o.evalue, traceback: (o.traceback || []).join('\\n')});
      }
    }
    cells.push({index: i, source: cell.sharedModel.getSource(),
                executionCount: cell.executionCount, nOutputs: cell.outputs.length, errors});
  }
  return {open: true, id: panel.id, dialogs, prompts, cells,
          kernel: kernel ? kernel.status : 'no kernel',
          connection: kernel ? kernel.connectionStatus : 'no kernel',
          indicator: indicator ? indicator.dataset.status : null};
}
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class LabSession:
    """One Chromium page on the JupyterLab server, and what the tests do with it."""

    repo_root = REPO_ROOT
    artifacts = ARTIFACTS

    def __init__(self, page, server, test_name):
        self.page = page
        self.server = server
        self.test_name = test_name
        self.screenshots = []
        self.console_errors = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))

    def _on_console(self, msg):
        if msg.type == "error":
            self.console_errors.append(msg.text[:500])

    # --- screenshots ----------------------------------------------------------------------

    def screenshot(self, name, locator=None):
        """Save <repo>/test-artifacts/browser/<name> (of ``locator`` or the whole page)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        try:
            (locator or self.page).screenshot(path=str(path))
        except PlaywrightError as e:  # a failure screenshot must not hide the real error
            print(f"screenshot {name} failed: {e}")
            return None
        self.screenshots.append(path)
        return path

    def fail(self, message, screenshot):
        self.screenshot(screenshot)
        tail = "\n".join(self.console_errors[-10:])
        if tail:
            message += f"\n--- browser console errors (last 10) ---\n{tail}"
        pytest.fail(message, pytrace=False)

    # --- notebook state -------------------------------------------------------------------

    def state(self, path):
        return self.page.evaluate(_STATE_JS, path)

    def _wait(self, path, done, what, timeout, screenshot):
        """Poll the notebook's state until ``done(state)``; fail with the state otherwise.

        An open dialog (kernel died, cannot save, ...) fails at once with its text.
        """
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(path)
            if state["dialogs"]:
                self.fail(
                    f"{path}: a dialog opened while waiting for {what}:\n"
                    + "\n---\n".join(state["dialogs"]),
                    screenshot,
                )
            if state["open"] and done(state):
                return state
            if time.monotonic() > deadline:
                summary = {k: v for k, v in state.items() if k != "cells"}
                self.fail(
                    f"{path}: timed out after {timeout} s waiting for {what}.\n"
                    f"state: {summary}\n--- server log ---\n{self.server.log_tail(3000)}",
                    screenshot,
                )
            self.page.wait_for_timeout(POLL_MS)

    @staticmethod
    def kernel_idle(state):
        return (
            state["connection"] == "connected"
            and state["kernel"] == "idle"
            and state["indicator"] == "idle"
        )

    @staticmethod
    def _executed(cell):
        return cell["executionCount"] is not None or not cell["source"].strip()

    # --- actions ----------------------------------------------------------------------------

    def open_notebook(self, path, timeout=OPEN_TIMEOUT):
        """Open <repo>/<path> in JupyterLab (a fresh workspace) and wait for an idle kernel."""
        if not (REPO_ROOT / path).is_file():
            pytest.fail(f"{REPO_ROOT / path} does not exist")
        # ?reset: start from an empty workspace, not the previous test's open tabs.
        self.page.goto(self.server.url(f"lab/tree/{urllib.parse.quote(path)}") + "&reset")
        self._wait(
            path,
            self.kernel_idle,
            "the notebook to open with an idle kernel",
            timeout,
            f"failure-open-{Path(path).stem}.png",
        )
        return self.notebook_panel(path)

    def notebook_panel(self, path):
        """Locator of the notebook panel (toolbar + cells) showing ``path``."""
        return self.page.locator(f"#{self.state(path)['id']}")

    def menu(self, label, command):
        """Click menu bar item ``label``, then the entry of ``command`` once it is enabled."""
        self.page.locator("#jp-menu-panel").get_by_role("menuitem", name=label, exact=True).click()
        self.page.locator(
            f'.lm-Menu li.lm-Menu-item[data-command="{command}"]:not(.lm-mod-disabled)'
        ).click()

    def run_all(self, path, timeout=RUN_TIMEOUT):
        """Edit > Clear Outputs of All Cells, Run > Run All Cells, wait until all are done.

        Done means: no prompt shows [*], the kernel is idle, and every non-empty code cell
        has an execution count (or a cell raised: JupyterLab then skips the rest).
        """
        stem = Path(path).stem
        self.menu("Edit", "editmenu:clear-all")
        self._wait(
            path,
            lambda s: all(c["executionCount"] is None and not c["nOutputs"] for c in s["cells"]),
            "Clear Outputs of All Cells",
            10,
            f"failure-clear-{stem}.png",
        )
        self.menu("Run", "runmenu:run-all")

        def finished(s):
            return (
                self.kernel_idle(s)
                and not any("*" in p for p in s["prompts"])
                and (
                    all(self._executed(c) for c in s["cells"])
                    or any(c["errors"] for c in s["cells"])
                )
            )

        return self._wait(
            path, finished, "Run All Cells to finish", timeout, f"failure-run-all-{stem}.png"
        )

    def assert_no_errors(self, path, state=None):
        """Fail (with a screenshot of the first failing cell) if a cell has an error output.

        Only outputs of type "error" count. A stderr stream (warnings, progress bars) is
        not an error, although both render as data-mime-type="application/vnd.jupyter.stderr".
        """
        state = state or self.state(path)
        failing = [c for c in state["cells"] if c["errors"]]
        if failing:
            first = failing[0]["index"]
            self.notebook_panel(path).locator(".jp-Notebook-cell").nth(
                first
            ).scroll_into_view_if_needed()
            lines = []
            for cell in failing:
                for err in cell["errors"]:
                    tb = _ANSI.sub("", err["traceback"]).strip().splitlines()
                    lines.append(
                        f"cell {cell['index']} ({cell['source'].strip()[:80]!r}): "
                        f"{err['ename']}: {err['evalue']}\n    " + "\n    ".join(tb[-12:])
                    )
            self.fail(
                f"{path}: {len(lines)} error output(s):\n" + "\n".join(lines),
                f"failure-errors-{Path(path).stem}.png",
            )
        unexecuted = [c["index"] for c in state["cells"] if not self._executed(c)]
        if unexecuted:
            self.fail(f"{path}: cells {unexecuted} did not run", f"failure-{Path(path).stem}.png")


@pytest.fixture
def lab(browser, jupyter_server, request):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    session = LabSession(page, jupyter_server, request.node.name)
    try:
        yield session
    finally:
        report = request.node.stash.get(_phase_reports, {}).get("call")
        if report is not None and report.failed:
            session.screenshot(f"failure-{re.sub(r'[^A-Za-z0-9_.-]+', '-', request.node.name)}.png")
        context.close()
        jupyter_server.shutdown_kernels()  # free the CPU for the next test
        shots = [str(p) for p in session.screenshots]
        request.config.stash.setdefault(_screenshots, {})[request.node.nodeid] = shots
        print(f"screenshots of {request.node.name}:" + "".join(f"\n  {s}" for s in shots))
