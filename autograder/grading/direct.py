"""``nbgrader autograde`` and the formgrader's Autograde button: sandboxed, on the spot.

When nbgrader itself autogrades (not the pipeline), SandboxedExecute runs each notebook
here, in the grading sandbox, with the judge outside it: the same execution the
pipeline's workers do (execute.py), one notebook at a time, in nbgrader's process. The
student's earlier notebooks, already autograded, are where the carry-forward imports
find them; the time limits come from the course's profile when the pipeline has made
one (grading/timing.json), else from ``c.GradingTimes.fallback_cell_seconds``, and the
sandbox's limits from ``c.GradingSandbox``: the options the pipeline reads (settings.py),
here from the config nbgrader loaded (nbgrader_config.py and the command line's
``--GradingTimes.…`` flags). nbgrader's own ``Execute.timeout`` is not used.
"""

import glob
import os

import nbformat

from .execute import execute_student
from .grading_course import GradingCourse
from .sandbox import Limits, check_available
from .timing import TimeLimits


def _earlier(autograded, name):
    """[[name, JSON text]] of the student's autograded notebooks before ``name``."""
    out = []
    for path in sorted(glob.glob(os.path.join(autograded, "*.ipynb"))):
        other = os.path.basename(path)[:-6]
        if other < name:
            with open(path) as f:
                out.append([other, f.read()])
    return out


def execute_notebook(preprocessor, nb, resources):
    """Run ``nb`` for nbgrader's autograde; return the execution record (execute.py)."""
    check_available()
    info = resources["nbgrader"]
    course = GradingCourse(os.getcwd(), info["assignment"])  # nbgrader converts from the root
    name = info["notebook"]
    times = TimeLimits.configured(preprocessor.config, profile=course.profile())
    job = {
        "student": info["student"],
        "secret": course.secret(),
        "earlier": _earlier(course.autograded(info["student"]), name),
        "notebooks": [[name, nbformat.writes(nb)]],
        "times": times.as_dict(),
        "limits": Limits.configured(preprocessor.config).__dict__,
    }
    return execute_student(job)["notebooks"][name]
