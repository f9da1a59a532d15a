"""nbgrader configuration of the course "RNN from scratch".

Used by every nbgrader command run from the repository root (generate_assignment,
autograde, generate_feedback, export) and by the hardened pipeline
(python -m autograder.grade), which adds its sandbox on top of these settings.
"""

from autograder.feedback import TEMPLATES as FEEDBACK_TEMPLATES

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "rnn-from-scratch"

# Each cell gets 120 s (the training run in notebook 5 takes a few seconds; the
# default 30 s is too tight on a loaded machine).
c.Execute.timeout = 120

# Deleted test cells come back from the gradebook instead of silently scoring 0.
c.OverwriteCells.add_missing_cells = True

# Warnings printed to stderr in a test cell would cost its points in nbgrader; the
# tests silence numpy's warnings, and this removes any other warning text.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(Warning|warnings\.warn)"

# Feedback pages (autograder/feedback): never a hidden test, neither in cells nor in
# tracebacks; each test cell named by its exercise and points; what was not attempted
# shown as one line; math as MathML (no MathJax from a CDN: readable offline). The
# course's template folder is named "feedback", so the formgrader's Generate Feedback
# (which forces template_name = "feedback") uses it too.
c.GenerateFeedback.preprocessors = [
    "autograder.feedback.preprocessors.HideHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback.preprocessors.FeedbackContext",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.HTMLExporter.extra_template_basedirs = [FEEDBACK_TEMPLATES]
c.HTMLExporter.filters = {
    "feedback_markdown": "autograder.feedback.mathml.feedback_markdown",
    "feedback_latex": "autograder.feedback.mathml.feedback_latex",
}
