"""The class list (see model.py for the CSV columns) and its import into the gradebook."""

from .model import COLUMNS, STUDENT_ID, Roster, RosterError, Student

__all__ = ["COLUMNS", "STUDENT_ID", "Roster", "RosterError", "Student"]
