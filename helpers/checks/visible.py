"""``check_<exercise>(your_object)``: the visible tests you run in the notebooks.

A check first makes sure the earlier exercises your code calls pass their own tests (a
wrong loss function would otherwise make a correct training step fail with a misleading
message), then runs your code on every visible case and stops at the first failure with
an AssertionError that says what is wrong, where, and a hint. When everything matches it
prints a line starting with ✓ and returns True, so a test cell reads
``assert check_<exercise>(your_object)``.
"""

import contextlib
import io
import types

from . import demo_guard
from .core import CheckFailed
from .diagnose import case_failure, run_case

HIDDEN_PASSED = set()  # exercises whose hidden tests passed in this kernel (set while grading)


def names_used(obj, namespace, seen=None):
    """Global names the code of ``obj`` (a function or a class) refers to, following the
    functions of ``namespace`` it calls, and the functions they call."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return set()
    seen.add(id(obj))
    codes = (
        [obj.__code__]
        if isinstance(obj, types.FunctionType)
        else [f.__code__ for f in vars(obj).values() if isinstance(f, types.FunctionType)]
        if isinstance(obj, type)
        else []
    )
    names = set()
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    for name in list(names):
        value = namespace.get(name)
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
            names |= names_used(value, namespace, seen)
    return names


def _home(subject):
    """The notebook namespace the subject was defined in (its functions' globals)."""
    if isinstance(subject, types.FunctionType):
        return subject.__globals__
    for f in vars(subject).values() if isinstance(subject, type) else ():
        if isinstance(f, types.FunctionType):
            return f.__globals__
    return {}


def blame_earlier(tests, subject, registry):
    """CheckFailed naming the first earlier exercise your code calls that fails its tests."""
    namespace = _home(subject)
    used = names_used(subject, namespace) if namespace else set()
    for earlier_id in tests.collaborators:
        earlier = registry[earlier_id]
        if earlier.subject not in used or earlier.subject not in namespace:
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                run_visible(earlier, namespace[earlier.subject], registry)
        except (AssertionError, NotImplementedError) as e:
            raise CheckFailed(
                f"{tests.title} calls your {earlier.subject} from {earlier.notebook}, which "
                f"does not pass its own tests yet:\n    {e}\n"
                f"Fix {earlier.subject} in {earlier.notebook}.ipynb first (save it), then "
                f"re-run this notebook from the top.",
                earlier.subject,
            ) from None


def run_visible(tests, subject, registry):
    """Run the visible tests of one exercise on your code (see the module docstring)."""
    if tests.id in HIDDEN_PASSED:
        # While grading, the hidden tests ran first on the same cases and more, with the
        # reference standing in for earlier exercises: they have the final word.
        print(f"✓ {tests.title}: covered by the hidden tests that just passed.")
        return True
    blame_earlier(tests, subject, registry)
    ruled_out = set()  # mistakes an earlier case would have shown: yours passed it
    for case in tests.cases:
        outcome, error = run_case(tests.runner, subject, case.inputs)
        if isinstance(error, NotImplementedError):
            raise error  # an unanswered exercise (or a stand-in saying why it is missing)
        possible = [(m, o) for m, o in case.mistakes if m not in ruled_out]
        message = case_failure(tests, case, outcome, case.expected, possible)
        if message is not None:
            raise CheckFailed(f"{tests.title}, test '{case.name}': {message}") from error
        ruled_out.update(m for m, _ in case.mistakes)
    print(f"✓ {tests.title}: all {len(tests.cases)} visible tests passed.")
    return True


def make_check(tests, registry):
    """The ``check_<id>`` function of one exercise."""

    def check(subject):
        try:
            passed = run_visible(tests, subject, registry)
        except AssertionError as e:
            demo_guard.test_failed(tests, e)  # later cells using ``subject`` say so
            raise
        demo_guard.test_passed(tests)
        return passed

    check.__name__ = check.__qualname__ = f"check_{tests.id}"
    check.__doc__ = (
        f"Run the visible tests of {tests.title} ({tests.notebook}) on your {tests.subject}.\n\n"
        f"Returns True if all {tests.n_cases} pass; otherwise raises an AssertionError "
        f"that says what is wrong, where, and a hint."
    )
    return check
