"""Feedback pages a student reads offline.

- notebook pages: nbgrader's GenerateFeedback with the course's template
  (templates/feedback/), preprocessors (preprocessors.py) and MathML math (mathml.py),
  all configured in nbgrader_config.py;
- pages for notebooks nbgrader has no page for (missing, unreadable, not run to the
  end): pages.py;
- ``student.regenerate(course_dir, result, ...)``: both, for one student only (the one
  path: the grading pipeline and ``python -m autograder.feedback`` call it).

This module stays light (nbgrader_config.py imports it for TEMPLATES on every nbgrader
command): import the functions from their modules.
"""

import importlib.util
import os

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

# nbgrader's own templates (its formgrader's "formgrade" pages among them). Setting
# HTMLExporter.extra_template_basedirs in nbgrader_config.py replaces the list the
# formgrader sets for itself, so the course lists both; found without importing
# nbgrader (this module stays light).
NBGRADER_TEMPLATES = os.path.join(
    os.path.dirname(importlib.util.find_spec("nbgrader").origin),
    "server_extensions",
    "formgrader",
    "templates",
)
