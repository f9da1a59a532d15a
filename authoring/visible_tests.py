"""The visible tests students run: ``helpers/checks/visible_tests.json``, written by the build.

For every exercise of course/exercises: what the student-side checks need (id,
notebook, title, points, the tested object's name, runner, properties, hints, the earlier
exercises it may call) and its visible cases with the reference's expected outputs and
what each known mistake produces on them. No reference code and no hidden case goes in.
"""

import json
import os

from authoring import generated
from course.exercises import EXERCISES, collaborators
from course.judge import mistake_outcomes, reference_outputs, visible_cases
from helpers.checks import serial
from helpers.checks.registry import VISIBLE_TESTS_FILE


def _case(exercise, case):
    uses_expected = exercise.runner.uses_expected
    expected = reference_outputs(exercise.id, case.inputs) if uses_expected else None
    mistakes = mistake_outcomes(exercise.id, case.inputs, expected) if uses_expected else []
    return {
        "name": case.name,
        "hint": case.hint,
        "inputs": case.inputs,
        "expected": expected,
        "mistakes": [{"message": m, **outcome.as_result()} for m, outcome in mistakes],
    }


def student_side(exercise):
    """What the student-side checks get of ``exercise``, with its visible cases."""
    cases = [_case(exercise, c) for c in visible_cases(exercise.id)]
    shown = {m["message"] for c in cases for m in c["mistakes"]}
    for mistake in exercise.mistakes:
        if mistake.message not in shown:
            raise ValueError(
                f"{exercise.id}: no visible case shows the mistake {mistake.message!r}: its "
                f"hint would never reach a student (add a case that it fails)"
            )
    return {
        "id": exercise.id,
        "notebook": exercise.notebook,
        "title": exercise.title,
        "points": exercise.points,
        "subject": exercise.subject,
        "runner": exercise.runner.spec(),
        "properties": [p.spec() for p in exercise.properties],
        "hints": exercise.hints,
        "collaborators": collaborators(exercise.id),
        "cases": cases,
    }


def text():
    """visible_tests.json's text (deterministic: the same course gives the same bytes)."""
    data = {
        generated.JSON_KEY: generated.VISIBLE_TESTS,
        "exercises": [student_side(e) for e in EXERCISES.values()],
    }
    return json.dumps(serial.to_jsonable(data), indent=1) + "\n"


def stored_text(path=VISIBLE_TESTS_FILE):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path=VISIBLE_TESTS_FILE):
    wanted = text()
    if stored_text(path) != wanted:
        with open(path, "w", encoding="utf-8") as f:
            f.write(wanted)
    return path
