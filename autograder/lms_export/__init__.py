"""Grades for learning management systems, as nbgrader export plugins (canvas.py)."""
