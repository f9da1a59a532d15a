"""Kernel side of the hidden tests: run the student's code on the judge's inputs.

A test cell in a source notebook starts with

    ### BEGIN HIDDEN TESTS
    from autograder.harness import hidden_check
    assert hidden_check("<exercise id>", globals())
    ### END HIDDEN TESTS
    assert check_<exercise id>(<the student's object>)     # the visible tests

``hidden_check`` asks the judge for the test inputs, runs the exercise's runner (the one
the visible tests use) on the student's object, with the reference standing in for the
functions of earlier exercises (so a mistake is never graded twice), hands the results
back and raises AssertionError with the judge's message if the verdict is a fail.

This package must not import the reference: the grading sandbox mounts it next to the
student's kernel while the reference stays outside. With RNN_JUDGE_SOCKET set (the
hardened pipeline) the judge is a separate trusted process; otherwise (``nbgrader
autograde``, instructors running source notebooks) it is imported here.
"""

import contextlib
import os
import types

from helpers.checks import REGISTRY, serial
from helpers.checks.diagnose import run_case
from helpers.checks.visible import HIDDEN_PASSED

from .client import RemoteJudge

_MISSING = object()


def _judge():
    path = os.environ.get("RNN_JUDGE_SOCKET")
    if path:
        return RemoteJudge(path)
    from course.judge import LocalJudge  # instructor machines only

    return LocalJudge()


@contextlib.contextmanager
def substituted(namespaces, replacements):
    """Temporarily rebind names in the given global namespaces.

    Every global bound to the student's object for ``name`` (also under another name)
    is pointed at ``replacements[name]``; a missing name is added. All bindings are
    restored afterwards, whatever happens.
    """
    saved = []
    try:
        for ns in namespaces:
            for name, new in replacements.items():
                old = ns.get(name, _MISSING)
                keys = [name] if old is _MISSING else [k for k, v in list(ns.items()) if v is old]
                for k in keys:
                    saved.append((ns, k, ns.get(k, _MISSING)))
                    ns[k] = new
        yield
    finally:
        for ns, k, old in reversed(saved):
            if old is _MISSING:
                ns.pop(k, None)
            else:
                ns[k] = old


def _namespaces(namespace, subject):
    """The notebook's globals and those of the functions the subject consists of (a
    function defined in another module has other globals)."""
    functions = (
        [subject]
        if isinstance(subject, types.FunctionType)
        else [f for f in vars(subject).values() if isinstance(f, types.FunctionType)]
        if isinstance(subject, type)
        else []
    )
    out = [namespace]
    for f in functions:
        if all(f.__globals__ is not ns for ns in out):
            out.append(f.__globals__)
    return out


def _result(runner, subject, inputs):
    outcome, _ = run_case(runner, subject, inputs)
    result = outcome.as_result()
    try:
        serial.to_jsonable(result)  # fail here, clearly, if the result cannot be judged
    except serial.EncodingError as e:
        return {"error": f"EncodingError: your result cannot be checked ({e})"}
    return result


def hidden_check(exercise_id, namespace):
    """Run the hidden tests of ``exercise_id`` on the objects in ``namespace`` (globals())."""
    tests = REGISTRY[exercise_id]
    judge = _judge()
    cases = judge.begin(exercise_id)
    subject = namespace.get(tests.subject, _MISSING)
    if subject is _MISSING:
        results = [{"error": f"NameError: name {tests.subject!r} is not defined"}] * len(cases)
    else:
        names = [REGISTRY[c].subject for c in tests.collaborators]
        replacements = {name: judge.collaborator(name) for name in names}
        with substituted(_namespaces(namespace, subject), replacements):
            results = [_result(tests.runner, subject, inputs) for inputs in cases]
    verdict = judge.finish(exercise_id, results)
    if not verdict.passed:
        raise AssertionError(verdict.message)
    HIDDEN_PASSED.add(exercise_id)
    print(f"✓ {tests.title}: hidden tests passed ({verdict.n_cases} cases).")
    return True
