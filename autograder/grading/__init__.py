"""The instructor's grading pipeline: sandboxed, parallel, tamper-proof nbgrader autograding.

Entry point: ``python -m autograder.grade`` (``make grade``). See README.md, "Grading".
"""
