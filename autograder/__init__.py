"""The instructor's grading system: the kernel half of the hidden tests (harness), the
grading pipeline (grading), LMS intake, the roster, LMS exports, reports, feedback pages
and the ``grade`` command. Imports ``course`` (the reference and the exercises it grades
against) and ``helpers``. Never shipped to students.

This file stays free of imports: the grading sandbox mounts only it and
``autograder/harness`` next to the student's kernel.
"""
