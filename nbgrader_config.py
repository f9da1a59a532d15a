"""nbgrader configuration of the course "RNN from scratch".

Used by every nbgrader command run from the repository root (generate_assignment,
autograde, generate_feedback, export), by the formgrader's buttons, and by the grading
pipeline (python -m autograder.grade), which runs nbgrader's autograde in-process with
these same preprocessors. See autograder/grading/preprocessors.py for what each does.
"""

from autograder.feedback import NBGRADER_TEMPLATES
from autograder.feedback import TEMPLATES as FEEDBACK_TEMPLATES

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "rnn-from-scratch"

# The gradebook: SQLite in the course directory by default. For many graders or a large
# class, PostgreSQL (pip package psycopg; the pipeline also takes --db-url):
# c.CourseDirectory.db_url = "postgresql+psycopg://grader@/rnn?host=/var/run/postgresql"

# Student code always runs in the grading sandbox, with the judge outside it, however
# autograding is started (pipeline, `nbgrader autograde`, formgrader). Submissions are
# repaired against the release their student received, in one place (NormalizeSubmission:
# deleted, duplicated, renamed and edited cells); nbgrader's own add_missing_cells is
# therefore not needed.
c.Autograde.sanitize_preprocessors = [
    "autograder.grading.preprocessors.NormalizeSubmission",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "autograder.grading.preprocessors.QuietOverwriteCells",
    "autograder.grading.metadata_check.CheckCellMetadataOnce",
]
c.Autograde.autograde_preprocessors = [
    "autograder.grading.preprocessors.SandboxedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "autograder.grading.preprocessors.ApplyVerdicts",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "autograder.grading.metadata_check.CheckCellMetadataOnce",
]

# The grading system's limits and options (time limits, the sandbox's memory, processes
# and disk, workers) are traitlets of autograder/grading/settings.py, each defined there
# once with its default and help; set them here to change them for this course, e.g.
#   c.GradingTimes.fallback_cell_seconds = 60   (a cell, when no timing profile exists)
#   c.GradingSandbox.memory_mb = 2048           (address space of one kernel, MiB)
#   c.Grading.workers = 4                       (local worker processes)
# python -m autograder.grade, nbgrader autograde and the README's tables read them
# (README "Grading options"). nbgrader's c.Execute.timeout is not used: student code runs
# in the grading sandbox, with these limits.

# Warnings printed to stderr in a test cell would cost its points in nbgrader; the
# tests silence numpy's warnings, and this removes any other warning text.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(Warning|warnings\.warn)"

# Late submissions: nbgrader compares each submission's timestamp.txt with the
# assignment's due date (set it with `nbgrader db assignment add rnn --duedate="2027-03-01
# 23:59:00 Europe/Berlin"`; a zone name or "+01:00" attached to the time, never a bare
# "-0500", which nbgrader reads as seconds). With no due date nothing is late. The
# penalty is computed per notebook when it is autograded; "none" (default) keeps the
# score, "zero" gives 0, or name your own plugin (AssignLatePenalties.plugin_class).
c.LateSubmissionPlugin.penalty_method = "none"

# Blackboard names files with its server's local time and no zone; each attempt's receipt
# (.txt) states the zone and is used when it does. Where none does, this zone is (a tz
# database name, e.g. "Europe/Berlin"; LMS_TIMEZONE=... with make overrides it); left
# empty, such times are read as UTC and every run warns.
c.LmsCollector.lms_timezone = ""

# Feedback pages (autograder/feedback): never a hidden test, neither in cells nor in
# tracebacks; each test cell named by its exercise and points; what was not attempted
# shown as one line; math as MathML (no MathJax from a CDN: readable offline). The
# course's template folder is named "feedback", so the formgrader's Generate Feedback
# (which forces template_name = "feedback") uses it too; nbgrader's own templates stay
# listed after it, or the formgrader cannot find its pages ("formgrade").
c.GenerateFeedback.preprocessors = [
    "autograder.feedback.preprocessors.HideHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback.preprocessors.FeedbackContext",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.GenerateFeedback.exporter_class = "autograder.feedback.exporter.FeedbackExporter"
c.HTMLExporter.extra_template_basedirs = [FEEDBACK_TEMPLATES, NBGRADER_TEMPLATES]
c.HTMLExporter.filters = {
    "feedback_markdown": "autograder.feedback.mathml.feedback_markdown",
    "feedback_latex": "autograder.feedback.mathml.feedback_latex",
}

# The formgrader shows graders a student's notebook without anything that could run in
# the grader's session: outputs and markdown cleaned, output metadata reduced to sizes
# (autograder/formgrader.py; feedback pages already clean theirs).
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.preprocessors = ["autograder.formgrader.SafeStudentContent"]
