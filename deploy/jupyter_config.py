"""Jupyter and nbgrader configuration inside the two environments (``<env>/etc/jupyter``).

Config in an environment's own ``etc/jupyter`` applies to every server started from it
and to nothing else on the machine (no /etc/jupyter), so the students' and the grader's
settings cannot leak into each other. Written on every setup: cheap, and always current.

Students (as the students of nbgrader's demos/demo_one_class_multiple_graders, whose
setup disables the instructor extensions for students):
  - nbgrader knows the course and the exchange; JupyterHubAuthPlugin lets only members
    of the hub group ``nbgrader-<course>`` fetch and submit; a submission is readable
    by the grader only (deploy/nbgrader_exchange.py);
  - the formgrader, course list and create-assignment extensions are off (server and
    lab); the assignment list and Validate stay on;
  - JupyterLab neither fetches news nor queries PyPI.
Both servers' kernels are reached over Unix sockets (jupyterhub_config.py); so is the
kernel of a student's Validate button, set here for nbgrader.
The grader: nbgrader's course root and exchange, the course's own nbgrader_config.py
(the grading pipeline's settings, so the formgrader sees the same), and the
release_feedback that works with the pipeline's feedback (deploy/nbgrader_exchange.py),
and the collect that takes only the students' own files (deploy/nbgrader_collect.py).
"""

import json
import os

from .layout import STUDENT_RUNTIME

INSTRUCTOR_ONLY_SERVER_EXTENSIONS = ("formgrader", "course_list")
INSTRUCTOR_ONLY_LAB_PLUGINS = ("formgrader", "course-list", "create-assignment")
QUIET_LAB = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def _write(path, text):
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


def _write_json(path, data):
    _write(path, json.dumps(data, indent=1) + "\n")


def _quiet_lab(env):
    """No news, no update checks, no PyPI search: nothing leaves the server."""
    _write_json(
        os.path.join(env, "share", "jupyter", "lab", "settings", "overrides.json"), QUIET_LAB
    )
    # LabApp reads jupyter_lab_config.json (not jupyter_server_config.d) when loaded by
    # jupyterhub-singleuser.
    _write_json(
        os.path.join(env, "etc", "jupyter", "jupyter_lab_config.json"),
        {"LabApp": {"extension_manager": "readonly"}},
    )


def student_config(dep):
    etc = os.path.join(dep.student_env, "etc", "jupyter")
    text = f'''"""nbgrader for students of {dep.course_id} (deploy/jupyter_config.py)."""
from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {dep.course_id!r}
c.Exchange.root = {dep.exchange!r}
# Only members of the hub group nbgrader-{dep.course_id} may fetch and submit.
c.Authenticator.plugin_class = JupyterHubAuthPlugin
# Submissions readable by the grader only (deploy/nbgrader_exchange.py).
c.ExchangeFactory.submit = "rnn_hub_exchange.Submit"
# Validate's kernel on Unix sockets in the server's private runtime directory, as every
# kernel of the server (jupyterhub_config.py); an absolute path: the kernel runs in the
# notebook's folder, the server in the home.
c.KernelManager.transport = "ipc"
c.KernelManager.ip = {os.path.join(STUDENT_RUNTIME, "validate")!r}
'''
    _write(os.path.join(etc, "nbgrader_config.py"), text)
    # Loaded after nbgrader's own jupyter_server_config.d/nbgrader.json (alphabetical).
    _write_json(
        os.path.join(etc, "jupyter_server_config.d", "rnn-course.json"),
        {
            "ServerApp": {
                "jpserver_extensions": {
                    f"nbgrader.server_extensions.{name}": False
                    for name in INSTRUCTOR_ONLY_SERVER_EXTENSIONS
                }
            },
        },
    )
    _write_json(
        os.path.join(etc, "labconfig", "page_config.json"),
        {
            "disabledExtensions": {
                f"@jupyter/nbgrader:{name}": True for name in INSTRUCTOR_ONLY_LAB_PLUGINS
            }
        },
    )
    _quiet_lab(dep.student_env)


def grader_config(dep):
    etc = os.path.join(dep.grader_env, "etc", "jupyter")
    course_config = os.path.join(dep.course_dir, "nbgrader_config.py")
    text = f'''"""nbgrader for the grader of {dep.course_id} (deploy/jupyter_config.py)."""
c = get_config()  # noqa: F821
c.CourseDirectory.root = {dep.course_dir!r}
c.Exchange.root = {dep.exchange!r}
# release_feedback for the grading pipeline's feedback: deploy/nbgrader_exchange.py
c.ExchangeFactory.release_feedback = "rnn_hub_exchange.ReleaseFeedback"
# collect takes only what the named student's own account wrote: deploy/nbgrader_collect.py
c.ExchangeFactory.collect = "rnn_hub_collect.Collect"
# nbgrader leaves autograded notebooks read-only (444); the grading pipeline then adds
# its verdicts to them, which only root could do. The course directory is 0700 anyway.
c.Autograde.permissions = 644
# The course's own settings (what `python -m autograder.grade` uses), wherever the
# formgrader or nbgrader runs from.
load_subconfig({course_config!r})  # noqa: F821
'''
    _write(os.path.join(etc, "nbgrader_config.py"), text)
    _quiet_lab(dep.grader_env)
