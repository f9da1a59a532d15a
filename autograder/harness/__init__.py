"""Kernel side of the hidden tests: run the student's code on the judge's inputs.

A test cell in a source notebook starts with

    ### BEGIN HIDDEN TESTS
    from autograder.harness import hidden_check
    assert hidden_check("softmax", globals())
    ### END HIDDEN TESTS
    assert check_softmax(softmax)     # the visible tests: all students see

``hidden_check`` asks the judge for the test inputs, runs the check's runner on the
student's objects (with the reference standing in for functions graded in earlier
exercises, so a mistake is never graded twice), hands the outputs back and raises
AssertionError with the judge's message if the verdict is a fail.

This package must not import the reference: the grading sandbox mounts it next to
the student's kernel while the reference stays outside. With RNN_JUDGE_SOCKET set
(the hardened pipeline) the judge is a separate trusted process; otherwise
(``nbgrader autograde``, instructors running source notebooks) it is imported here.
"""

import contextlib
import os

from helpers.checks import REGISTRY, serial
from helpers.checks.core import HIDDEN_PASSED, copy_inputs, quiet_numpy

from .client import RemoteJudge

_MISSING = object()


def _judge():
    path = os.environ.get("RNN_JUDGE_SOCKET")
    if path:
        return RemoteJudge(path)
    from autograder.judge import LocalJudge  # instructor machines only

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
                keys = [name] if old is _MISSING else \
                    [k for k, v in list(ns.items()) if v is old]
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


def _run_case(check, subjects, inputs):
    try:
        with quiet_numpy():
            got = check.run(subjects, copy_inputs(inputs))
        serial.to_jsonable(got)  # fail here, clearly, if the result cannot be judged
        return {"ok": got}
    except (Exception, SystemExit) as e:
        text = f"{type(e).__name__}: {e}"
        return {"error": text if len(text) <= 500 else text[:500] + " ..."}


def hidden_check(check_id, namespace):
    """Run the hidden tests of ``check_id`` on the objects in ``namespace`` (globals())."""
    check = REGISTRY[check_id]
    judge = _judge()
    cases = judge.begin(check_id)
    subjects = {name: namespace.get(name, _MISSING) for name in check.subjects}
    missing = [n for n, v in subjects.items() if v is _MISSING]
    if missing:
        outputs = [{"error": f"NameError: name {missing[0]!r} is not defined"}] * len(cases)
    else:
        namespaces = [namespace]
        for obj in subjects.values():  # a function defined in another module has other globals
            g = getattr(obj, "__globals__", None)
            if isinstance(g, dict) and all(g is not ns for ns in namespaces):
                namespaces.append(g)
        replacements = {name: judge.collaborator(name) for name in check.collaborators}
        with substituted(namespaces, replacements):
            outputs = [_run_case(check, subjects, inputs) for inputs in cases]
    verdict = judge.finish(check_id, outputs)
    if not verdict.passed:
        raise AssertionError(verdict.message)
    HIDDEN_PASSED.add(check_id)
    print(f"✓ {check.title}: hidden tests passed ({verdict.n_cases} cases).")
    return True
