"""One configuration channel: the grading system's limits and options are traitlets of
the course's nbgrader config (autograder/grading/settings.py), read by the command line,
the direct path (nbgrader autograde), the sandbox's and the timer's limits and the
README; the course's folders are nbgrader's, with the names the course configures.

Fast: scratch courses in tmp_path, no sandbox, no kernel."""

import os
import re
import shutil

import nbformat
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from authoring import readme
from autograder import grade
from autograder.feedback.pages import NOT_SUBMITTED
from autograder.feedback.student import regenerate
from autograder.grading import direct, intake
from autograder.grading.grading_course import GradingCourse
from autograder.grading.preprocessors import SandboxedExecute
from autograder.grading.sandbox import Limits
from autograder.grading.settings import GradingSandbox, GradingTimes, MiB, default, options
from autograder.grading.timing import TimeLimits
from course.paths import ASSIGNMENT, ROOT

NOTEBOOK = "01_building_blocks"


def scratch_course(root, settings=""):
    """A course folder: an nbgrader_config.py with ``settings``, one released notebook."""
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "nbgrader_config.py"), "w") as f:
        f.write("c = get_config()  # noqa: F821\n" + settings)
    course = GradingCourse(root)
    for folder in (course.release_dir(), course.source_dir()):
        os.makedirs(folder, exist_ok=True)
        shutil.copy(os.path.join(ROOT, "release", ASSIGNMENT, NOTEBOOK + ".ipynb"), folder)
    return course


CHANGED = """
c.GradingSandbox.memory_mb = 777
c.GradingSandbox.tmp_mb = 99
c.GradingTimes.fallback_cell_seconds = 33.0
c.GradingTimes.multiple = 7.0
c.Grading.workers = 3
"""


def test_the_limits_defaults_are_the_options_defaults():
    """TimeLimits and Limits state no number of their own."""
    times, limits = TimeLimits(), Limits()
    for name in ("multiple", "margin", "notebook_margins", "fallback_cell_seconds"):
        assert getattr(times, name) == default(GradingTimes, name)
    assert times.fallback_notebook_seconds == default(GradingTimes, "fallback_notebook_seconds")
    assert limits.memory_bytes == default(GradingSandbox, "memory_mb") * MiB
    assert limits.cgroup_memory_bytes == limits.memory_bytes + 512 * MiB
    assert limits == Limits.configured(Config())
    assert times == TimeLimits.configured(Config())
    # The repository's course sets none of them: its limits are the defaults.
    assert GradingCourse(ROOT).limits() == limits


def test_a_course_option_reaches_the_command_line_and_the_limits(tmp_path):
    course = scratch_course(str(tmp_path / "course"), CHANGED)
    args = grade.parse(["--course", course.root])
    assert (args.memory_mb, args.workers, args.cell_seconds) == (777, 3, None)
    assert grade.parse(["--course", course.root, "--memory-mb", "900"]).memory_mb == 900
    assert course.limits().memory_bytes == 777 * MiB
    assert course.limits().tmp_bytes == 99 * MiB
    times = course.time_limits()
    assert (times.fallback_cell_seconds, times.multiple) == (33.0, 7.0)
    assert times.cell(NOTEBOOK, "any") == 33.0  # no timing profile yet
    # The repository's course: the defaults.
    assert grade.parse([]).memory_mb == default(GradingSandbox, "memory_mb")


def test_the_direct_path_reads_the_config_nbgrader_loaded(tmp_path, monkeypatch):
    """nbgrader autograde (and the formgrader): the job handed to the sandbox has the
    course's limits, and an nbgrader command-line flag overrides nbgrader_config.py."""
    course = scratch_course(str(tmp_path / "course"), CHANGED)
    jobs = []
    monkeypatch.setattr(direct, "check_available", lambda: None)
    ran = {"notebooks": {NOTEBOOK: "its record"}}
    monkeypatch.setattr(direct, "execute_student", lambda job: jobs.append(job) or ran)
    monkeypatch.chdir(course.root)
    config = PyFileConfigLoader("nbgrader_config.py", path=course.root).load_config()
    flag = Config({"GradingTimes": {"multiple": 9.0}})  # --GradingTimes.multiple=9
    config.merge(flag)
    resources = {"nbgrader": {"assignment": ASSIGNMENT, "notebook": NOTEBOOK, "student": "bob"}}
    preprocessor = SandboxedExecute(config=config)
    assert direct.execute_notebook(preprocessor, nbformat.v4.new_notebook(), resources) == (
        "its record"
    )
    (job,) = jobs
    assert job["times"]["fallback_cell_seconds"] == 33.0 and job["times"]["multiple"] == 9.0
    assert job["limits"]["memory_bytes"] == 777 * MiB


def test_the_readme_tables_are_rendered_from_the_options(tmp_path):
    course = scratch_course(str(tmp_path / "course"), CHANGED)
    config = course.config()
    part = readme.rendered_part(
        "grading options",
        {
            "grade_options": readme.grade_options(config),
            "grading_settings": readme.grading_settings(config),
        },
    )
    assert re.search(r"`--memory-mb MIB` \| .*default: 777; `c\.GradingSandbox\.memory_mb`", part)
    memory, fallback = (
        default(GradingSandbox, "memory_mb"),
        default(GradingTimes, "fallback_cell_seconds"),
    )
    assert f"| `c.GradingSandbox.memory_mb` | 777 (default {memory}) |" in part
    assert f"| `c.GradingTimes.fallback_cell_seconds` | 33 (default {fallback:g}) |" in part
    # Every option is in the table, with its help.
    for section, name, _, _, text in options(config):
        assert f"`c.{section}.{name}`" in part and text in part
    # README.md holds the repository course's rendering (the defaults).
    with open(readme.README, encoding="utf-8") as f:
        text = f.read()
    assert f"| `c.GradingSandbox.memory_mb` | {memory} |" in text
    assert f"(default: {memory}; `c.GradingSandbox.memory_mb`)" in text


RENAMED = """
c.CourseDirectory.source_directory = "master"
c.CourseDirectory.release_directory = "handout"
c.CourseDirectory.submitted_directory = "handed_in"
c.CourseDirectory.autograded_directory = "graded"
c.CourseDirectory.feedback_directory = "returned"
"""


def test_a_course_with_other_folder_names(tmp_path):
    root = str(tmp_path / "course")
    course = scratch_course(root, RENAMED)
    assert course.release_dir() == os.path.join(root, "handout", ASSIGNMENT)
    assert course.source_dir() == os.path.join(root, "master", ASSIGNMENT)
    assert course.submitted() == os.path.join(root, "handed_in")
    assert course.submitted("bob") == os.path.join(root, "handed_in", "bob", ASSIGNMENT)
    assert course.autograded("bob") == os.path.join(root, "graded", "bob", ASSIGNMENT)
    assert course.feedback("bob") == os.path.join(root, "returned", "bob", ASSIGNMENT)
    assert course.notebooks() == [NOTEBOOK]
    # A download is taken in where nbgrader looks for submissions.
    download = tmp_path / "download" / "bob"
    download.mkdir(parents=True)
    shutil.copy(os.path.join(course.release_dir(), NOTEBOOK + ".ipynb"), download)
    _, _, students, problems = intake.collect(course, str(tmp_path / "download"), log=lambda _: 0)
    assert (students, problems) == (["bob"], {})
    assert os.path.exists(os.path.join(course.submitted("bob"), NOTEBOOK + ".ipynb"))
    assert sorted(os.listdir(root)) == [
        "grading",
        "handed_in",
        "handout",
        "master",
        "nbgrader_config.py",
    ]


def test_feedback_pages_go_to_the_configured_folder(tmp_path):
    """The pages of a notebook nbgrader had nothing to make a page from (here: not
    submitted) are written where nbgrader writes its own."""
    root = str(tmp_path / "course")
    course = scratch_course(root, RENAMED)
    result = {"student": "bob", "notebooks": {NOTEBOOK: {"status": NOT_SUBMITTED}}}
    pages = regenerate(root, result)
    assert pages == [os.path.join(course.feedback("bob"), NOTEBOOK + ".html")]
    assert not os.path.exists(os.path.join(root, "feedback"))
