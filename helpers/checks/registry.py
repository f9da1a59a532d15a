"""The visible tests of every exercise, as the course's build exported them.

``visible_tests.json`` (next to this file) holds, for every graded exercise: its id,
notebook, title and points, the name of the object it tests, how it is called (the
runner), the property checks and hints, and the visible test cases with the expected
outputs computed by the reference solution and the outputs of typical mistakes. It holds
no solution and no hidden test. Read it to see exactly what is checked:
``REGISTRY[exercise_id].cases[0].inputs``.
"""

import functools
import json
import os
from dataclasses import dataclass, field

from . import serial
from .core import Case
from .diagnose import Outcome
from .properties import property_from_spec
from .runner import from_spec

VISIBLE_TESTS_FILE = os.path.join(os.path.dirname(__file__), "visible_tests.json")


@dataclass
class VisibleCase(Case):
    """A visible case with its expected outputs and what known mistakes produce on it."""

    expected: object = None
    mistakes: list = field(default_factory=list)  # [(message, Outcome)]


@dataclass
class ExerciseTests:
    """What the tests of one exercise need (no reference, no hidden cases)."""

    id: str
    notebook: str
    title: str
    points: int
    subject: str  # the name of the tested object in the notebook, e.g. "LinearLayer"
    runner: object
    properties: list = field(default_factory=list)
    hints: dict = field(default_factory=dict)  # output name -> hint
    collaborators: list = field(default_factory=list)  # ids of earlier exercises it may call
    stored_cases: list = field(default_factory=list, repr=False)  # as in the file

    @functools.cached_property
    def cases(self):
        """[VisibleCase], decoded from the file when first used.

        A kernel runs the tests of one notebook (while grading, only those whose hidden
        tests failed), and decoding the 2,000 arrays of every exercise's cases cost each
        kernel 0.06 CPU-s, measured."""
        return [case_from_dict(c) for c in serial.from_jsonable(self.stored_cases)]

    @property
    def n_cases(self):
        return len(self.stored_cases)


def case_from_dict(c):
    return VisibleCase(
        c["name"],
        c["inputs"],
        c.get("hint", ""),
        expected=c.get("expected"),
        mistakes=[(m["message"], Outcome.from_result(m)) for m in c.get("mistakes", [])],
    )


def exercise_from_dict(d):
    """An ExerciseTests from its entry in the file (its cases still encoded)."""
    given = serial.from_jsonable({k: v for k, v in d.items() if k != "cases"})
    return ExerciseTests(
        id=given["id"],
        notebook=given["notebook"],
        title=given["title"],
        points=given["points"],
        subject=given["subject"],
        runner=from_spec(given["runner"]),
        properties=[property_from_spec(p) for p in given.get("properties", [])],
        hints=given.get("hints", {}),
        collaborators=given.get("collaborators", []),
        stored_cases=d["cases"],
    )


@functools.cache
def load(path=VISIBLE_TESTS_FILE):
    """{exercise id: ExerciseTests}, in course order ({} before the first build)."""
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return {d["id"]: exercise_from_dict(d) for d in data["exercises"]}
