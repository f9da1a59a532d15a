"""Making the course's files from the course: the notebooks of source/ and release/ (build,
export), the figures and the computed claims of the text (figures, claims), the README's
generated sections (readme) and the student bundle (bundle).

Imports ``course`` and ``autograder`` (whose grading limits the README quotes); nothing
below imports it."""
