"""Instructor-only side of the course: the reference solution, the notebook builder,
the hidden tests and the grading pipeline. Never shipped to students.

This file stays free of imports: the grading sandbox mounts only it and
``autograder/harness`` next to the student's kernel.
"""
