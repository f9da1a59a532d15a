"""nbgrader configuration of the course "RNN from scratch".

Used by every nbgrader command run from the repository root (generate_assignment,
autograde, generate_feedback, export) and by the hardened pipeline
(python -m autograder.grade), which adds its sandbox on top of these settings.
"""

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

# Feedback never shows hidden tests, neither in cells nor in tracebacks.
c.GenerateFeedback.preprocessors = [
    "autograder.grading.feedback.HideHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
