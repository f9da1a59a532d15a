"""The course's nbgrader folders, named as its nbgrader_config.py names them.

nbgrader's ``CourseDirectory`` (``format_path`` and ``c.CourseDirectory.*_directory``)
is the one definition of where a step's files are: ``submitted/<student>/<assignment>``
by default, ``handed_in/...`` in a course that sets ``submitted_directory =
"handed_in"``. grading.grading_course.GradingCourse and the parts that run without one
(feedback pages, roster removals) all ask it.
"""

import os

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader


def load_config(course_dir):
    """The course's nbgrader_config.py (an empty Config where it has none)."""
    if not os.path.exists(os.path.join(course_dir, "nbgrader_config.py")):
        return Config()
    return PyFileConfigLoader("nbgrader_config.py", path=course_dir).load_config()


def directory(course_dir, config=None):
    """nbgrader's CourseDirectory of the course at ``course_dir``."""
    config = load_config(course_dir) if config is None else config
    return CourseDirectory(config=config, root=os.path.abspath(course_dir))


def step_folder(course_dir, step, config=None):
    """The folder of one step ("submitted", "autograded", "feedback", "release", "source")."""
    return os.path.join(os.path.abspath(course_dir), step_name(directory(course_dir, config), step))


def step_name(course_directory, step):
    return getattr(course_directory, f"{step}_directory")


def student_folder(course_dir, step, student, assignment, config=None):
    """One student's folder of one step (student "." for release and source)."""
    cd = directory(course_dir, config)
    return os.path.normpath(cd.format_path(step_name(cd, step), student, assignment))
