"""The deployment's pieces, without a hub: sandbox, hub config, Jupyter config, exchange, setup.

Fast, and most need no root (the end-to-end test, test_hub_e2e.py, needs it).
"""

import json
import os
import pwd
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from nbgrader.coursedir import CourseDirectory
from packaging.specifiers import SpecifierSet
from traitlets.config.loader import PyFileConfigLoader

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from deploy import jupyter_config, nbgrader_exchange  # noqa: E402
from deploy.layout import Deployment  # noqa: E402
from deploy.spawner import sandbox_command  # noqa: E402

DEBIAN_PYTHON = "3.11.2"  # /usr/bin/python3.11 on Debian 12, which builds the environments


def test_sandbox_shows_only_the_system_the_environment_the_exchange_and_the_home():
    args = sandbox_command("/home/alice", "/srv/c/env", "/srv/c/exchange", bwrap="bwrap")
    assert args[-1] == "--"
    binds = {}
    for i, arg in enumerate(args):
        if arg in ("--bind", "--ro-bind"):
            binds[args[i + 2]] = (arg, args[i + 1])
    system = {"/usr", "/etc"} | {
        f"/{d}"
        for d in ("bin", "lib", "lib64", "sbin")
        if os.path.isdir(f"/{d}") and not os.path.islink(f"/{d}")
    }
    assert set(binds) == system | {"/srv/c/env", "/srv/c/exchange", "/home/alice"}
    assert binds["/srv/c/env"][0] == "--ro-bind" and binds["/usr"][0] == "--ro-bind"
    assert binds["/home/alice"][0] == "--bind" and binds["/srv/c/exchange"][0] == "--bind"
    for flag in ("--unshare-user", "--unshare-pid", "--die-with-parent", "--new-session"):
        assert flag in args
    assert "--unshare-net" not in args  # the server must reach the hub and the proxy
    assert args[args.index("--chdir") + 1] == "/home/alice"


def test_course_id_matches_the_course_nbgrader_config():
    text = (REPO_ROOT / "nbgrader_config.py").read_text()
    course_id = re.search(r'course_id = "([^"]+)"', text).group(1)
    assert Deployment().course_id == course_id


def test_settings_round_trip(tmp_path):
    dep = Deployment(root=str(tmp_path), students=["a", "b"], hub_port=8765)
    dep.save()
    assert Deployment.load(str(tmp_path)) == dep
    for path in (dep.student_env, dep.exchange, dep.course_dir, dep.grader_env, dep.hub_dir):
        assert path.startswith(str(tmp_path) + os.sep)
    # The course and the instructor code live in the grader's 0700 home, nothing else does.
    assert dep.course_dir.startswith(dep.grader_home + os.sep)
    assert dep.instructor_code.startswith(dep.grader_home + os.sep)
    assert not dep.student_env.startswith(dep.grader_home)


@pytest.fixture
def hub_config(tmp_path, monkeypatch):
    dep = Deployment(
        root=str(tmp_path),
        instructors=["teach"],
        students=["s1", "s2"],
        grader="fg",
        hub_port=18000,
        auth="trial",
    )
    dep.save()
    os.makedirs(dep.hub_dir)
    Path(dep.password_file).write_text("trial-password-123\n")
    monkeypatch.setenv("RNN_COURSE_ROOT", dep.root)
    loader = PyFileConfigLoader("jupyterhub_config.py", path=str(REPO_ROOT / "deploy"))
    return dep, loader.load_config()


def test_hub_config_follows_nbgrader_demo_one_class_multiple_graders(hub_config):
    dep, c = hub_config
    (service,) = [s for s in c.JupyterHub.services if s["name"] == dep.course_id]
    assert service["name"] == dep.course_id and service["user"] == "fg"
    assert service["command"][0] == f"{dep.grader_env}/bin/jupyterhub-singleuser"
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    formgrade = roles[f"formgrade-{dep.course_id}"]
    assert formgrade["groups"] == [f"formgrade-{dep.course_id}"]
    assert f"access:services!service={dep.course_id}" in formgrade["scopes"]
    # Students get no role: list:services and read:services would show them the
    # formgrader's command, process id and port (nbgrader's demo gives them both).
    assert not any(f"nbgrader-{dep.course_id}" in r.get("groups", []) for r in roles.values())
    assert f"nbgrader-{dep.course_id}" not in roles
    assert c.JupyterHub.load_groups[f"formgrade-{dep.course_id}"] == {"users": ["teach"]}
    assert c.JupyterHub.load_groups[f"nbgrader-{dep.course_id}"] == {"users": ["s1", "s2"]}
    assert c.Authenticator.allowed_users == {"teach", "s1", "s2"}
    assert c.SharedPasswordAuthenticator.user_password == "trial-password-123"


def test_hub_config_sandboxes_servers_and_leaks_no_environment(hub_config):
    dep, c = hub_config
    assert c.JupyterHub.spawner_class == "deploy.spawner.SandboxedSpawner"
    assert c.SandboxedSpawner.environment_dir == dep.student_env
    assert "PATH" not in c.Spawner.env_keep and "PYTHONPATH" not in c.Spawner.env_keep
    assert c.Spawner.environment["PATH"].startswith(f"{dep.student_env}/bin:")
    assert c.JupyterHub.bind_url == "http://127.0.0.1:18000"
    # Kernels on Unix sockets, in a private, short runtime directory.
    (service,) = [s for s in c.JupyterHub.services if s["name"] == dep.course_id]
    assert "--KernelManager.transport=ipc" in c.Spawner.args
    assert "--KernelManager.transport=ipc" in service["command"]
    assert c.Spawner.environment["JUPYTER_RUNTIME_DIR"] == "/tmp/jupyter-runtime"
    assert service["environment"]["JUPYTER_RUNTIME_DIR"] == dep.grader_runtime
    for root in ("/srv/rnn-course", "/tmp/rnn-hub-abcdef"):  # the default, the tests'
        assert Deployment(root=root).kernel_socket_fits()
    assert not Deployment(root="/srv/" + "x" * 60).kernel_socket_fits()
    (proxy,) = c.ConfigurableHTTPProxy.command
    assert proxy.startswith(str(REPO_ROOT / "deploy" / "proxy" / "node_modules"))


def test_student_config_turns_instructor_extensions_off(tmp_path):
    dep = Deployment(root=str(tmp_path))
    jupyter_config.student_config(dep)
    etc = Path(dep.student_env) / "etc" / "jupyter"
    nbgrader = (etc / "nbgrader_config.py").read_text()
    assert f"c.Exchange.root = {dep.exchange!r}" in nbgrader
    assert "JupyterHubAuthPlugin" in nbgrader and "rnn_hub_exchange.Submit" in nbgrader
    server = json.loads((etc / "jupyter_server_config.d" / "rnn-course.json").read_text())
    off = server["ServerApp"]["jpserver_extensions"]
    assert off == {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False,
    }
    lab = json.loads((etc / "labconfig" / "page_config.json").read_text())
    assert set(lab["disabledExtensions"]) == {
        "@jupyter/nbgrader:formgrader",
        "@jupyter/nbgrader:course-list",
        "@jupyter/nbgrader:create-assignment",
    }


def test_validate_runs_its_kernel_on_unix_sockets(tmp_path):
    dep = Deployment(root=str(tmp_path))
    jupyter_config.student_config(dep)
    nbgrader = (Path(dep.student_env) / "etc" / "jupyter" / "nbgrader_config.py").read_text()
    assert 'c.KernelManager.transport = "ipc"' in nbgrader
    assert "c.KernelManager.ip = '/tmp/jupyter-runtime/validate'" in nbgrader


def test_grader_config_fits_nbgrader_to_the_pipeline(tmp_path):
    dep = Deployment(root=str(tmp_path))
    jupyter_config.grader_config(dep)
    text = (Path(dep.grader_env) / "etc" / "jupyter" / "nbgrader_config.py").read_text()
    assert f"c.CourseDirectory.root = {dep.course_dir!r}" in text
    assert "c.Autograde.permissions = 644" in text
    assert '"rnn_hub_exchange.ReleaseFeedback"' in text
    assert 'c.ExchangeFactory.collect = "rnn_hub_collect.Collect"' in text
    course_config = os.path.join(dep.course_dir, "nbgrader_config.py")
    assert f"load_subconfig({course_config!r})" in text


def _release_feedback(tmp_path, student):
    course, exchange = tmp_path / "course", tmp_path / "exchange"
    coursedir = CourseDirectory(root=str(course), course_id="c1", assignment_id="rnn")
    return (
        nbgrader_exchange.ReleaseFeedback(coursedir=coursedir, root=str(exchange)),
        course,
        exchange / "c1" / "inbound",
    )


def test_release_feedback_restores_the_secret_from_the_students_own_submission(tmp_path):
    student = pwd.getpwuid(os.getuid()).pw_name
    app, course, inbound = _release_feedback(tmp_path, student)
    stamp = "2026-12-01 10:00:00.000000 UTC"
    feedback = course / "feedback" / student / "rnn"
    feedback.mkdir(parents=True)
    (feedback / "01_building_blocks.html").write_text("<html/>")
    (feedback / "timestamp.txt").write_text(stamp)
    for when, secret in (("2026-11-30 09:00:00.000000 UTC", "old"), (stamp, "current")):
        sub = inbound / f"{student}+rnn+{when}+Xy1"
        sub.mkdir(parents=True)
        (sub / "timestamp.txt").write_text(when)
        (sub / "submission_secret.txt").write_text(secret)
    app.restore_secrets()
    assert (feedback / "submission_secret.txt").read_text() == "current"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own a file as another user")
def test_release_feedback_ignores_a_planted_submission(tmp_path):
    student = pwd.getpwuid(os.getuid()).pw_name
    app, course, inbound = _release_feedback(tmp_path, student)
    stamp = "2026-12-01 10:00:00.000000 UTC"
    feedback = course / "feedback" / student / "rnn"
    feedback.mkdir(parents=True)
    (feedback / "timestamp.txt").write_text(stamp)
    planted = inbound / f"{student}+rnn+{stamp}+evil"  # written by someone else
    planted.mkdir(parents=True)
    (planted / "timestamp.txt").write_text(stamp)
    (planted / "submission_secret.txt").write_text("known to the attacker")
    os.chown(planted, 65534, 65534)
    app.restore_secrets()
    assert not (feedback / "submission_secret.txt").exists()


def test_release_feedback_never_reads_a_secret_through_a_link(tmp_path):
    student = pwd.getpwuid(os.getuid()).pw_name
    app, course, inbound = _release_feedback(tmp_path, student)
    stamp = "2026-12-01 10:00:00.000000 UTC"
    feedback = course / "feedback" / student / "rnn"
    feedback.mkdir(parents=True)
    (feedback / "timestamp.txt").write_text(stamp)
    private = tmp_path / "grader-only.txt"
    private.write_text("a file only the grader may read")
    sub = inbound / f"{student}+rnn+{stamp}+Xy1"
    sub.mkdir(parents=True)
    (sub / "timestamp.txt").write_text(stamp)
    (sub / "submission_secret.txt").symlink_to(private)
    app.restore_secrets()
    assert not (feedback / "submission_secret.txt").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create a folder of another group")
def test_submission_gets_the_group_of_inbound(tmp_path):
    inbound = tmp_path / "inbound"
    inbound.mkdir()
    os.chown(inbound, -1, 65534)
    os.chmod(inbound, 0o3733)
    submission = inbound / "s+rnn+t+r"
    (submission / "figures").mkdir(parents=True)
    (submission / "01.ipynb").write_text("{}")
    (submission / "figures" / "a.svg").write_text("<svg/>")
    os.chmod(submission, 0o755)  # what nbgrader's copytree leaves: no setgid
    (submission / "timestamp.txt").write_text("t")
    nbgrader_exchange._regroup(str(submission))
    for path in [submission, *submission.rglob("*")]:
        assert path.stat().st_gid == 65534, path
    assert (submission / "figures" / "a.svg").read_text() == "<svg/>"
    assert not (inbound / "s+rnn+t+r.staging").exists()


def test_pinned_packages_install_on_debians_python():
    """The environments are built from constraints.txt with Debian 12's python3.11."""
    pins = [
        ln.split("==")
        for ln in (REPO_ROOT / "constraints.txt").read_text().splitlines()
        if "==" in ln and not ln.startswith("#")
    ]
    refused = []
    for name, version in pins:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        requires = dist.metadata.get("Requires-Python")
        if dist.version == version and requires and DEBIAN_PYTHON not in SpecifierSet(requires):
            refused.append(f"{name}=={version} (Requires-Python {requires})")
    assert not refused, f"not installable on Python {DEBIAN_PYTHON}: {refused}"


def test_make_wires_the_hub():
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(r"^hub: venv proxy$", makefile, re.M)
    assert re.search(r"^test: venv proxy$", makefile, re.M)
    assert "npm ci --prefix $(PROXY_DIR)" in makefile
    dry = subprocess.run(["make", "-n", "hub"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert "-m deploy.hub --root /srv/rnn-course" in dry.stdout
    readme = (REPO_ROOT / "README.md").read_text()
    assert "make hub" in readme and "deploy/README.md" in readme
