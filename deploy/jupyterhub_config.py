"""JupyterHub configuration of the course "RNN from scratch": one class on one server.

Started by ``python -m deploy.hub`` (``make hub``), which sets RNN_COURSE_ROOT to the
deployment root whose deployment.json (written by ``python -m deploy.setup``) names the
accounts, ports and paths used here.

The nbgrader part follows nbgrader's demo for one class with several graders,
demos/demo_one_class_multiple_graders/jupyterhub_config.py in jupyter/nbgrader (read at
commit 207a8e54; the same file since v0.9.5):
  - the formgrader is a hub *service* named after the course, a jupyterhub-singleuser
    run by a grader account, so instructors and graders share one course directory;
  - the group formgrade-<course> may open it: access:services!service=<course>, plus
    list:services and read:services!service=<course> for nbgrader's lab extensions;
  - the "server" role inherits its owner's scopes, for nbgrader's extensions that call
    the hub API from a user's server.
From demos/demo_multiple_classes: students in a group nbgrader-<course>, which
nbgrader's JupyterHubAuthPlugin checks before a student fetches or submits. Not from it:
the demo's list:services and read:services for students, which show them the
formgrader's command, process id and port; their servers (nbgrader's JupyterHubAuthPlugin
reads only the student's own groups) and their disabled course list need none of it.
What this course adds: servers in a sandbox (deploy/spawner.py), environments without
instructor code (deploy/environments.py), and no account environment leaks from the hub.

Who logs in (deployment.json's auth): "lti", LTI 1.3 launch from the LMS (deploy/lti.py),
for a real term; "trial", SharedPasswordAuthenticator (one password for every account, in
<root>/hub/trial-password), for make hub's trial on loopback only. TLS with JupyterHub's
own ssl_cert/ssl_key when the deployment has a certificate. deploy/README.md says more.
"""

import os
import sys

# The hub runs from the repository's venv; deploy/ is imported from the checkout.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from deploy import hub_secrets  # noqa: E402
from deploy.layout import DEFAULT_ROOT, STUDENT_RUNTIME, Deployment  # noqa: E402

dep = Deployment.load(os.environ.get("RNN_COURSE_ROOT", DEFAULT_ROOT))
here = os.path.dirname(os.path.abspath(__file__))
c = get_config()  # noqa: F821

# --- network: the public proxy, the hub's API, the proxy's API ---------------------------------
c.JupyterHub.bind_url = dep.hub_url
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{dep.hub_api_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{dep.proxy_api_port}"
# Installed by `make proxy` (npm ci in deploy/proxy), never a global npm package.
c.ConfigurableHTTPProxy.command = [
    os.path.join(here, "proxy", "node_modules", ".bin", "configurable-http-proxy")
]

# --- the hub's own state, private to root ------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{os.path.join(dep.hub_dir, 'jupyterhub.sqlite')}"
c.ConfigurableHTTPProxy.pid_file = os.path.join(dep.hub_dir, "jupyterhub-proxy.pid")
# Kept across restarts (deploy/hub_secrets.py, made by deploy.setup, 0600): nobody is
# logged out by a restart, and a proxy that kept running still obeys the new hub.
c.JupyterHub.cookie_secret_file = dep.cookie_secret_file
c.ConfigurableHTTPProxy.auth_token = hub_secrets.proxy_token(dep)

# --- TLS: JupyterHub's own certificate (served by the proxy) -----------------------------------
if dep.ssl_cert:
    c.JupyterHub.ssl_cert = dep.ssl_cert
    c.JupyterHub.ssl_key = dep.ssl_key

# --- who may log in ---------------------------------------------------------------------------
c.Authenticator.allowed_users = set(dep.hub_users)
if dep.auth == "lti":
    # LTI 1.3 launch from the LMS (deploy/lti.py): the roster maps LMS users to accounts,
    # the LTI roles decide the groups (the authenticator manages them: no load_groups).
    c.JupyterHub.authenticator_class = "deploy.lti.CourseLTI13Authenticator"
    lti = c.CourseLTI13Authenticator
    lti.issuer = dep.lti["issuer"]
    lti.client_id = {dep.lti["client_id"]}
    lti.authorize_url = dep.lti["authorize_url"]
    lti.jwks_endpoint = dep.lti["jwks_url"]
    lti.deployment_id = dep.lti["deployment_id"]
    lti.uri_scheme = "https" if dep.ssl_cert else "http"
    lti.roster_file = dep.roster_file
    lti.staff = dict(dep.lti.get("staff", {}))
    lti.launches_file = dep.lti_launches_file
    lti.staff_group = dep.formgrade_group
    lti.student_group = dep.student_group
elif dep.auth == "trial":
    # make hub's trial: one password for every account (deploy/hub_secrets.py).
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = hub_secrets.trial_password(dep)
    c.JupyterHub.load_groups = {
        dep.formgrade_group: {"users": list(dep.instructors)},
        dep.student_group: {"users": list(dep.students)},
    }
else:
    raise ValueError(f"deployment.json: auth is {dep.auth!r}, not 'lti' or 'trial'")
c.JupyterHub.load_roles = [
    {
        "name": dep.formgrade_group,
        "groups": [dep.formgrade_group],
        "scopes": [
            f"access:services!service={dep.course_id}",
            "list:services",
            f"read:services!service={dep.course_id}",
        ],
    },
    {"name": "server", "scopes": ["inherit"]},
]

# --- kernels: reached over Unix sockets, never over the shared 127.0.0.1 -------------------------
# On TCP, any account could subscribe to another's kernel output (IOPub needs no key to
# listen). The sockets go in the server's JUPYTER_RUNTIME_DIR: the sandbox's own /tmp for
# a student, the grader's 0700 run/ for the formgrader. On the command line: config files
# in an environment's jupyter_server_config.d do not reach jupyterhub-singleuser's kernels.
PRIVATE_KERNELS = ["--KernelManager.transport=ipc"]

# --- the formgrader, shared by instructors and graders -------------------------------------------
grader_bin = os.path.join(dep.grader_env, "bin")
c.JupyterHub.services = [
    {
        "name": dep.course_id,  # nbgrader finds the formgrader at /services/<course id>
        "url": f"http://127.0.0.1:{dep.formgrader_port}",
        "command": [os.path.join(grader_bin, "jupyterhub-singleuser"), *PRIVATE_KERNELS],
        "user": dep.grader,
        "cwd": dep.grader_home,  # the server's root: the course directory is below it
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            "JUPYTER_RUNTIME_DIR": dep.grader_runtime,  # its kernels' sockets
            "PATH": f"{grader_bin}:/usr/local/bin:/usr/bin:/bin",
            "OPENBLAS_NUM_THREADS": "1",
        },
        "oauth_no_confirm": True,  # our own service: no "authorize access" page
        "display": True,
    }
]

# --- everyone's own server: their account, in a sandbox ------------------------------------------
c.JupyterHub.spawner_class = "deploy.spawner.SandboxedSpawner"
c.SandboxedSpawner.environment_dir = dep.student_env
c.SandboxedSpawner.exchange_dir = dep.exchange
c.Spawner.default_url = "/lab"
c.Spawner.args = PRIVATE_KERNELS
# Nothing of root's environment (PATH into /root, PYTHONPATH, VIRTUAL_ENV) reaches a server.
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.environment = {
    "PATH": f"{os.path.join(dep.student_env, 'bin')}:/usr/local/bin:/usr/bin:/bin",
    "JUPYTER_RUNTIME_DIR": STUDENT_RUNTIME,  # its kernels' sockets, in the sandbox's /tmp
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90

# --- per-student limits and idle culling (deploy/limits.py, deploy/README.md) ---------------
# One cgroup per server: one student's fork bomb or memory bomb stays in it.
c.SandboxedSpawner.mem_limit = dep.mem_limit
c.SandboxedSpawner.cpu_limit = dep.cpu_limit
c.SandboxedSpawner.pids_limit = dep.pids_limit
# jupyterhub-idle-culler, a hub-managed service with only the scopes it needs (its README).
c.JupyterHub.services.append(
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={dep.idle_timeout}",
            f"--cull-every={max(10, min(300, dep.idle_timeout // 4))}",
        ],
    }
)
c.JupyterHub.load_roles.append(
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    }
)
