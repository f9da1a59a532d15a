"""Moved to autograder.feedback.preprocessors (kept for configurations naming it here)."""

from ..feedback.preprocessors import HideHiddenTests

__all__ = ["HideHiddenTests"]
