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
    cases: list = field(default_factory=list)  # [VisibleCase]


def exercise_from_dict(d):
    cases = [
        VisibleCase(
            c["name"],
            c["inputs"],
            c.get("hint", ""),
            expected=c.get("expected"),
            mistakes=[(m["message"], Outcome.from_result(m)) for m in c.get("mistakes", [])],
        )
        for c in d["cases"]
    ]
    return ExerciseTests(
        id=d["id"],
        notebook=d["notebook"],
        title=d["title"],
        points=d["points"],
        subject=d["subject"],
        runner=from_spec(d["runner"]),
        properties=[property_from_spec(p) for p in d.get("properties", [])],
        hints=d.get("hints", {}),
        collaborators=d.get("collaborators", []),
        cases=cases,
    )


@functools.cache
def load(path=VISIBLE_TESTS_FILE):
    """{exercise id: ExerciseTests}, in course order ({} before the first build)."""
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        data = serial.from_jsonable(json.load(f))
    return {d["id"]: exercise_from_dict(d) for d in data["exercises"]}
