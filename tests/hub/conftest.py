"""Fixtures for the end-to-end test of the course on a real JupyterHub (see README.md here).

- ``deployment`` (module): ``deploy.setup`` on a fresh root below /tmp (world-traversable,
  as a server's root would be), with accounts named ``h<run id>-<role>`` so that runs in
  parallel never share one, and free loopback ports. Removed afterwards: the accounts,
  their processes, the root (and, before a run, what a killed earlier run left behind).
- ``hub`` (module): ``jupyterhub`` started exactly as ``make hub`` starts it
  (``deploy.hub.command``), with configurable-http-proxy from deploy/proxy; stopped
  afterwards (it stops the servers, the formgrader service and the proxy).
- ``browser`` (session, tests/chromium.py): Debian's /usr/bin/chromium through Playwright,
  never a downloaded browser; the same instance as tests/browser's.
- ``people``: one browser context per hub user (``Person``): log in, use JupyterLab's
  nbgrader Assignments tab, the Jupyter REST API with the user's own session, screenshots.

Screenshots go to <repo>/test-artifacts/hub/ (git-ignored), numbered in story order.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import expect

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))  # deploy/ is run from the checkout, not installed

from chromium import CHROMIUM, VIEWPORT  # noqa: E402

from deploy import accounts, setup  # noqa: E402
from deploy import hub as hub_module  # noqa: E402
from deploy.layout import Deployment  # noqa: E402

ARTIFACTS = REPO_ROOT / "test-artifacts" / "hub"
PROXY = REPO_ROOT / "deploy" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
HUB_START_TIMEOUT = 90  # s: the hub, the proxy and the formgrader service
SPAWN_TIMEOUT = 120_000  # ms: a user's server in its sandbox, and JupyterLab loaded
HUB_STOP_TIMEOUT = 60  # s
LIST_TIMEOUT = 60_000  # ms: the Assignments tab asks the server, which asks the hub


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _requirements():
    """Why this machine cannot run the test, or None."""
    if os.geteuid() != 0:
        return "needs root: it creates system accounts and JupyterHub spawns servers as them"
    for tool in ("bwrap", "useradd", "runuser"):
        if not shutil.which(tool):
            return f"{tool} not found (.ci/run installs what is missing)"
    if not PROXY.exists():
        return f"{PROXY} missing: run `make proxy` (make test does)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} missing: apt-get install chromium"
    return None


def _stop_processes_of(users):
    """Kill what is left of the test accounts' processes (all started by this test)."""
    uids = {accounts.uid(u) for u in users if accounts.exists(u)}
    for proc in psutil.process_iter(["uids"]):
        if proc.info["uids"] and proc.info["uids"].real in uids:
            try:
                proc.kill()
            except psutil.Error:
                pass


def _remove(dep):
    users = [dep.grader, *dep.hub_users]
    _stop_processes_of(users)
    for user in users:
        accounts.remove_user(user)
    shutil.rmtree(dep.root, ignore_errors=True)


def _remove_abandoned_runs():
    """Accounts and roots of earlier runs that were killed before their teardown."""
    for root in Path("/tmp").glob("rnn-hub-*"):
        try:
            owner = int((root / "owner.pid").read_text())
            if psutil.pid_exists(owner):
                continue  # a run in progress, maybe from another checkout
            _remove(Deployment.load(str(root)))
        except (OSError, ValueError):
            continue


@pytest.fixture(scope="module")
def deployment(request):
    problem = _requirements()
    if problem:
        if os.environ.get("RNN_SKIP_HUB") == "1":
            pytest.skip(problem)
        pytest.fail(problem + " (set RNN_SKIP_HUB=1 to skip the hub tests instead)")
    _remove_abandoned_runs()
    run_id = secrets.token_hex(3)
    root = Path(f"/tmp/rnn-hub-{run_id}")
    root.mkdir(mode=0o755)
    (root / "owner.pid").write_text(str(os.getpid()))

    def name(role):  # starts with a letter, far below useradd's 32 characters
        return f"h{run_id}-{role}"

    dep = Deployment(
        root=str(root),
        grader=name("grader"),
        instructors=[name("teacher")],
        students=[name("alice"), name("bob"), name("carol")],
        home_base=str(root / "home"),
        hub_port=_free_port(),
        hub_api_port=_free_port(),
        proxy_api_port=_free_port(),
        formgrader_port=_free_port(),
        # a test module may set others (test_isolation.py: the limits it puts to the test)
        **getattr(request.module, "DEPLOYMENT_SETTINGS", {}),
    )
    try:
        t0 = time.perf_counter()
        setup.run(dep)
        print(f"deploy.setup took {time.perf_counter() - t0:.1f} s")
        yield dep
    finally:
        _remove(dep)


class Hub:
    """A running JupyterHub (its own process group) and its log."""

    def __init__(self, dep, proc, log_path):
        self.dep = dep
        self.proc = proc
        self.log_path = log_path
        self.url = dep.hub_url
        with open(dep.password_file) as f:
            self.password = f.read().strip()

    def log_tail(self, n_chars=6000):
        return self.log_path.read_text(errors="replace")[-n_chars:]

    def status(self, path):
        """HTTP status of GET ``path`` on the public proxy, redirects not followed."""
        conn = http.client.HTTPConnection("127.0.0.1", self.dep.hub_port, timeout=5)
        try:
            conn.request("GET", path)
            return conn.getresponse().status
        finally:
            conn.close()

    def wait_ready(self, timeout=HUB_START_TIMEOUT):
        deadline = time.monotonic() + timeout
        formgrader = f"/services/{self.dep.course_id}/"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"jupyterhub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                # The formgrader answers (a redirect to the hub's OAuth) once routed.
                if self.status("/hub/health") == 200 and self.status(formgrader) == 302:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        pytest.fail(
            f"JupyterHub or the formgrader did not answer in {timeout} s:\n{self.log_tail()}"
        )

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the hub stops servers, service, proxy
            try:
                self.proc.wait(timeout=HUB_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def hub(deployment):
    argv, env, cwd = hub_module.command(deployment)
    log_path = Path(deployment.hub_dir) / "jupyterhub.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Hub(deployment, proc, log_path)
    try:
        t0 = time.perf_counter()
        running.wait_ready()
        print(f"JupyterHub ready in {time.perf_counter() - t0:.1f} s at {running.url}")
        yield running
    finally:
        t0 = time.perf_counter()
        running.stop()
        print(f"JupyterHub stopped in {time.perf_counter() - t0:.1f} s")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log_path, ARTIFACTS / "jupyterhub.log")


# --- one person in the browser ---------------------------------------------------------------


class Person:
    """A hub user in their own browser context (own cookies), and what they do there."""

    def __init__(self, browser, hub, name, album):
        self.name = name
        self.hub = hub
        self.album = album
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()

    @property
    def server(self):
        return f"{self.hub.url}/user/{self.name}"

    def screenshot(self, label):
        return self.album.take(self.page, f"{self.name.split('-', 1)[1]}-{label}")

    # --- logging in ----------------------------------------------------------------------

    def start_login(self, next_path=None):
        """Submit the login form; the hub then spawns the server (or goes to ``next``)."""
        query = f"?next={urllib.parse.quote(next_path)}" if next_path else ""
        self.page.goto(f"{self.hub.url}/hub/login{query}")
        self.page.fill("#username_input", self.name)
        self.page.fill("#password_input", self.hub.password)
        with self.page.expect_navigation():
            self.page.click("#login_submit")

    def wait_for_lab(self):
        self.page.wait_for_url(
            re.compile(rf"/user/{re.escape(self.name)}/lab"), timeout=SPAWN_TIMEOUT
        )
        expect(self.page.locator("#jp-main-dock-panel")).to_be_visible(timeout=SPAWN_TIMEOUT)

    # --- the Jupyter REST API, with this person's session -----------------------------------

    def api(self, method, path, body=None):
        xsrf = next(
            (c["value"] for c in self.context.cookies(self.server + "/") if c["name"] == "_xsrf"),
            "",
        )
        response = self.context.request.fetch(
            f"{self.server}/api/{path}",
            method=method,
            headers={"X-XSRFToken": xsrf},
            data=json.dumps(body) if body is not None else None,
        )
        assert response.ok, f"{method} {path}: {response.status} {response.text()[:500]}"
        return response.json() if response.status != 204 else None

    def put_notebook(self, path, notebook):
        self.api(
            "PUT", f"contents/{path}", {"type": "notebook", "format": "json", "content": notebook}
        )

    def delete(self, path):
        self.api("DELETE", f"contents/{path}")

    # --- JupyterLab ----------------------------------------------------------------------

    def menu(self, label, command):
        """Click menu ``label``, then ``command`` once it is enabled."""
        self.page.locator("#jp-menu-panel").get_by_role("menuitem", name=label, exact=True).click()
        self.page.locator(
            f'.lm-Menu li.lm-Menu-item[data-command="{command}"]:not(.lm-mod-disabled)'
        ).click()

    def open_assignments(self):
        """Nbgrader > Assignment List: the Assignments tab of nbgrader's lab extension."""
        self.menu("Nbgrader", "nbgrader:open-assignment-list")
        panel = self.page.locator("#assignments")
        expect(panel).to_be_visible()
        expect(panel.locator("#course_list_default")).to_have_text(
            self.hub.dep.course_id, timeout=LIST_TIMEOUT
        )
        return panel

    def assignment_row(self, section, assignment):
        """The row of ``assignment`` in released/fetched/submitted of the Assignments tab."""
        return (
            self.page.locator(f"#{section}_assignments_list .list_item")
            .filter(has=self.page.locator("a, span", has_text=re.compile(rf"^{assignment}$")))
            .first
        )


@pytest.fixture(scope="module")
def album():
    """Screenshots numbered in the order they are taken."""
    if ARTIFACTS.exists():
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()

    class Album:
        count = 0
        paths = []

        def take(self, page, label, locator=None):
            Album.count += 1
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            path = ARTIFACTS / f"{Album.count:02d}-{label}.png"
            (locator or page).screenshot(path=str(path))
            Album.paths.append(path)
            return path

    yield Album()
    print("screenshots:" + "".join(f"\n  {p}" for p in Album.paths))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_failed] = report.failed
    return report


_failed = pytest.StashKey[bool]()


@pytest.fixture
def people(browser, hub, album, request):
    """``people(name)``: that user's Person (created on first use)."""
    made = {}

    def person(name):
        if name not in made:
            made[name] = Person(browser, hub, name, album)
        return made[name]

    yield person
    if request.node.stash.get(_failed, False):
        for p in made.values():  # where everyone was when it failed
            p.screenshot("at-failure")
        print(f"--- JupyterHub log (end) ---\n{hub.log_tail(4000)}")
    for p in made.values():
        p.context.close()
