"""Fixtures for the end-to-end test of the course on a real JupyterHub (see README.md here).

- ``deployment`` (module): ``deploy.setup`` on a fresh root below /tmp (world-traversable,
  as a server's root would be), with accounts named ``h<run id>-<role>`` so that runs in
  parallel never share one, and free loopback ports; it logs in by LTI 1.3 from the
  test's own LMS (lms_platform.py: keys, JWKS, id_tokens, AGS) and speaks HTTPS with a
  certificate the test makes. Removed afterwards: the accounts,
  their processes, the root (and, before a run, what a killed earlier run left behind).
- ``hub`` (module): ``jupyterhub`` started exactly as ``make hub`` starts it
  (``deploy.hub.command``), with configurable-http-proxy from deploy/proxy; restartable;
  stopped afterwards (it stops the servers, the formgrader service and the proxy).
- ``browser`` (session, tests/chromium.py): Debian's /usr/bin/chromium through Playwright,
  never a downloaded browser; the same instance as tests/browser's.
- ``people``: one browser context per hub user (``Person``): log in, use JupyterLab's
  nbgrader Assignments tab, the Jupyter REST API with the user's own session, screenshots.

Screenshots go to <repo>/test-artifacts/hub/ (git-ignored), numbered in story order.
"""

import datetime
import http.client
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psutil
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from playwright.sync_api import expect

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))  # deploy/ is run from the checkout, not installed

from chromium import CHROMIUM, VIEWPORT  # noqa: E402
from lms_platform import INSTRUCTOR, LEARNER, Platform  # noqa: E402

from deploy import accounts, hub_secrets, setup  # noqa: E402
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


def make_certificate(directory):
    """A self-signed certificate for 127.0.0.1 (and localhost), valid for a day: the hub's
    and the LMS's. Returns (cert file, key file); the key is 0600."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    san = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(mode=0o700)
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return str(cert_file), str(key_file)


# The LMS's numbers for the class (the roster's lms_user_id) and the teacher.
LMS_IDS = {"alice": "1001", "bob": "1002", "carol": "1003", "teacher": "9001"}


@pytest.fixture(scope="module")
def deployment(request):
    """A deployment that logs in by LTI 1.3 from the test's LMS (``dep.platform``), over
    HTTPS with a self-signed certificate (``dep.ca_file``)."""
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
    cert, key = make_certificate(root / "tls")
    platform = Platform(cert, key)

    def name(role):  # starts with a letter, far below useradd's 32 characters
        return f"h{run_id}-{role}"

    students = [name("alice"), name("bob"), name("carol")]
    dep = Deployment(
        root=str(root),
        grader=name("grader"),
        instructors=[name("teacher")],
        students=students,
        home_base=str(root / "home"),
        hub_port=_free_port(),
        hub_api_port=_free_port(),
        proxy_api_port=_free_port(),
        formgrader_port=_free_port(),
        auth="lti",
        ssl_cert=cert,
        ssl_key=key,
        lti={**platform.settings(), "staff": {LMS_IDS["teacher"]: name("teacher")}},
        # a test module may set others (test_hub_e2e.py: the isolation test's small limits)
        **getattr(request.module, "DEPLOYMENT_SETTINGS", {}),
    )
    roster = root / "roster.csv"  # what `make roster` imports: id, names, lms_user_id
    rows = [(s, s.split("-")[1]) for s in students]
    roster.write_text(
        "id,first_name,last_name,lms_user_id\n"
        + "".join(f"{s},{first.title()},Test,{LMS_IDS[first]}\n" for s, first in rows)
    )
    for account in [*students, *dep.instructors]:
        role = INSTRUCTOR if account in dep.instructors else LEARNER
        platform.add_user(account, LMS_IDS[account.split("-")[1]], [role])
    try:
        t0 = time.perf_counter()
        hub_secrets.install_roster(dep, roster)
        setup.run(dep)
        print(f"deploy.setup took {time.perf_counter() - t0:.1f} s")
        platform.hub_url = dep.hub_url
        platform.tool_jwks_file = dep.lti_jwks_file
        dep.platform, dep.ca_file = platform, cert
        yield dep
    finally:
        platform.close()
        _remove(dep)


class Hub:
    """A running JupyterHub (its own process group) and its log; ``restart`` keeps the log."""

    def __init__(self, dep, log_path):
        self.dep = dep
        self.log_path = log_path
        self.proc = None
        self.url = dep.hub_url
        self.platform = getattr(dep, "platform", None)

    @property
    def password(self):
        """The trial's shared password (a trial deployment only)."""
        return hub_secrets.trial_password(self.dep)

    def start(self):
        argv, env, cwd = hub_module.command(self.dep)
        # The hub fetches the LMS's JWKS over HTTPS: trust the test's certificate.
        env["SSL_CERT_FILE"] = self.dep.ca_file
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        t0 = time.perf_counter()
        self.wait_ready()
        print(f"JupyterHub ready in {time.perf_counter() - t0:.1f} s at {self.url}")

    def restart(self):
        self.stop()
        self.start()

    def log_tail(self, n_chars=6000):
        return self.log_path.read_text(errors="replace")[-n_chars:]

    def status(self, path):
        """HTTP status of GET ``path`` on the public proxy, redirects not followed."""
        if self.url.startswith("https:"):
            tls = ssl.create_default_context(cafile=self.dep.ca_file)
            conn = http.client.HTTPSConnection(
                "127.0.0.1", self.dep.hub_port, timeout=5, context=tls
            )
        else:
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
        if self.proc is not None and self.proc.poll() is None:
            t0 = time.perf_counter()
            self.proc.send_signal(signal.SIGTERM)  # the hub stops servers, service, proxy
            try:
                self.proc.wait(timeout=HUB_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            print(f"JupyterHub stopped in {time.perf_counter() - t0:.1f} s")


@pytest.fixture(scope="module")
def hub(deployment):
    running = Hub(deployment, Path(deployment.hub_dir) / "jupyterhub.log")
    try:
        running.start()
        yield running
    finally:
        running.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(running.log_path, ARTIFACTS / "jupyterhub.log")


# --- one person in the browser ---------------------------------------------------------------


class Person:
    """A hub user in their own browser context (own cookies), and what they do there."""

    def __init__(self, browser, hub, name, album):
        self.name = name
        self.hub = hub
        self.album = album
        # The hub's and the LMS's certificate is the test's own, self-signed.
        self.context = browser.new_context(viewport=VIEWPORT, ignore_https_errors=True)
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()

    @property
    def server(self):
        return f"{self.hub.url}/user/{self.name}"

    def screenshot(self, label):
        return self.album.take(self.page, f"{self.name.split('-', 1)[1]}-{label}")

    # --- logging in ----------------------------------------------------------------------

    def start_login(self, next_path=None):
        """Log in; the hub then spawns the server (or goes to ``next_path``).

        LTI: the person follows the course's link in the LMS, which launches the tool (login
        initiation, authentication request, form_post of the id_token); trial: the hub's
        login form with the shared password.
        """
        if self.hub.dep.auth == "lti":
            target = self.hub.url + (next_path or "/hub/")
            self.page.goto(self.hub.platform.launch_url(self.name, target))
            self.page.wait_for_url(re.compile(rf"^{re.escape(self.hub.url)}/(?!hub/lti13/)"))
            return
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
