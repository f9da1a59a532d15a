"""Every name and path of one deployment, in one place.

A deployment root (default /srv/rnn-course) holds:

    deployment.json        these settings (written by deploy.setup, read by the hub config)
    hub/                   0700 root: JupyterHub's database, cookie secret, proxy token,
                           trial password or LTI state (roster, tool key, launches, ledger)
    lti-tool-jwks.json     0644 root: the LTI tool's public key, for the LMS registration
    env/                   0755 root: the students' Python, built from the student bundle
    exchange/              1777: nbgrader's exchange (see deploy/course.py for its modes)
    grader/                0700 grader account: its home, the only place instructor code lives
        instructor/        0755 root: autograder/ (reference, hidden tests, pipeline), helpers/
        venv/              0755 root: the grader's Python (instructor code installed editable)
        course/            0700 grader: the nbgrader course (source/, gradebook.db, ...)
        run/               0700 grader: the formgrader's Jupyter runtime (its kernels' sockets)

Students' homes are <home_base>/<user> (0700). Nothing a student can read names the
reference: their environment is built from the bundle, and their server runs in a
sandbox that only shows /usr, /etc, env/, exchange/ and their own home (deploy/spawner.py).
"""

import json
import os
from dataclasses import asdict, dataclass, field

DEFAULT_ROOT = "/srv/rnn-course"
# nbgrader's course id (nbgrader_config.py) is also the hub service's name: nbgrader's
# lab extensions find the formgrader at /services/<course id>.
COURSE_ID = "rnn-from-scratch"
ASSIGNMENT = "rnn"
# Debian's interpreter: readable by every account (the repository's venv may not be).
PYTHON = "/usr/bin/python3.11"
# JUPYTER_RUNTIME_DIR of a student's server, where its kernels' Unix sockets are: in the
# sandbox's own /tmp, which no other server sees; short, as socket paths must be.
STUDENT_RUNTIME = "/tmp/jupyter-runtime"


@dataclass
class Deployment:
    root: str = DEFAULT_ROOT
    course_id: str = COURSE_ID
    assignment: str = ASSIGNMENT
    # The account that owns the course directory and runs the formgrader service.
    grader: str = f"grader-{COURSE_ID}"
    instructors: list = field(default_factory=lambda: ["instructor"])
    students: list = field(default_factory=lambda: ["student1", "student2", "student3"])
    home_base: str = "/home"
    hub_ip: str = "127.0.0.1"
    hub_port: int = 8000
    hub_api_port: int = 8081
    proxy_api_port: int = 8001
    formgrader_port: int = 9999
    python: str = PYTHON
    # --- per-student limits and idle culling (deploy/limits.py, jupyterhub_config.py) ---
    mem_limit: str = "2G"  # each server, all its processes together
    cpu_limit: float = 1.0  # cores
    pids_limit: int = 512  # processes and threads
    idle_timeout: int = 3600  # s without activity before the culler stops a server
    # --- login and TLS (issue 18) ---------------------------------------------------------
    # "lti": LTI 1.3 launch from the LMS (deploy/lti.py), the default for a real term;
    # "trial": one shared password for every account (make hub's trial only).
    auth: str = "lti"
    # The hub's certificate and key (PEM); empty: plain HTTP, for a trial on loopback only.
    ssl_cert: str = ""
    ssl_key: str = ""
    # The LMS platform as registered (deploy/lti.py): issuer, client_id, deployment_id,
    # authorize_url, jwks_url, token_url, and staff {LMS user id: account}.
    lti: dict = field(default_factory=dict)

    # --- paths ------------------------------------------------------------------------------

    def _in(self, *parts):
        return os.path.join(self.root, *parts)

    @property
    def settings_file(self):
        return self._in("deployment.json")

    @property
    def hub_dir(self):
        return self._in("hub")

    @property
    def password_file(self):
        return self._in("hub", "trial-password")

    # Secrets kept across restarts (root 0600 in hub/): a restart logs nobody out, and a
    # proxy left running keeps working with a restarted hub.
    @property
    def cookie_secret_file(self):
        return self._in("hub", "jupyterhub_cookie_secret")

    @property
    def proxy_token_file(self):
        return self._in("hub", "proxy-auth-token")

    # LTI state (root 0600 in hub/): the roster the hub maps LMS users with, the tool's
    # signing key for grade passback, the last launch of each user, what was sent.
    @property
    def roster_file(self):
        return self._in("hub", "roster.csv")

    @property
    def lti_key_file(self):
        return self._in("hub", "lti-tool-key.pem")

    @property
    def lti_jwks_file(self):
        """The tool's public key set (0644, in the root): what the LMS registration needs."""
        return self._in("lti-tool-jwks.json")

    @property
    def lti_launches_file(self):
        return self._in("hub", "lti-launches.json")

    @property
    def lti_ledger_file(self):
        return self._in("hub", "lti-grades-ledger.json")

    @property
    def student_env(self):
        return self._in("env")

    @property
    def exchange(self):
        return self._in("exchange")

    @property
    def grader_home(self):
        return self._in("grader")

    @property
    def instructor_code(self):
        return self._in("grader", "instructor")

    @property
    def grader_env(self):
        return self._in("grader", "venv")

    @property
    def course_dir(self):
        return self._in("grader", "course")

    @property
    def grader_runtime(self):
        """JUPYTER_RUNTIME_DIR of the formgrader: short, for its kernels' Unix sockets
        (107 bytes at most), and private to the grader."""
        return self._in("grader", "run")

    def kernel_socket_fits(self):
        """Whether the formgrader's kernels' Unix socket paths fit in 107 bytes."""
        uuid = "0" * 36  # a kernel's id
        return len(os.path.join(self.grader_runtime, f"kernel-{uuid}-ipc-99")) <= 107

    def home(self, user):
        return os.path.join(self.home_base, user)

    # --- hub names --------------------------------------------------------------------------

    @property
    def formgrade_group(self):
        """Hub group whose members may open the formgrader (the prefix is nbgrader's)."""
        return f"formgrade-{self.course_id}"

    @property
    def student_group(self):
        """Hub group of the class: nbgrader's JupyterHubAuthPlugin reads it."""
        return f"nbgrader-{self.course_id}"

    @property
    def hub_url(self):
        scheme = "https" if self.ssl_cert else "http"
        return f"{scheme}://{self.hub_ip}:{self.hub_port}"

    @property
    def formgrader_path(self):
        return f"/services/{self.course_id}/formgrader"

    @property
    def hub_users(self):
        return list(self.instructors) + list(self.students)

    # --- persistence ------------------------------------------------------------------------

    def save(self):
        os.makedirs(self.root, exist_ok=True)
        with open(self.settings_file, "w") as f:
            json.dump(asdict(self), f, indent=1)

    @classmethod
    def load(cls, root=DEFAULT_ROOT):
        with open(os.path.join(root, "deployment.json")) as f:
            return cls(**json.load(f))

    @classmethod
    def load_or_default(cls, root=DEFAULT_ROOT):
        root = os.path.abspath(root)
        if os.path.exists(os.path.join(root, "deployment.json")):
            return cls.load(root)
        return cls(root=root)
