"""The machinery behind every test in the notebooks.

A ``Check`` tests one exercise. It has
  - ``cases()``: the visible test cases (inputs only; deterministic),
  - ``run(subjects, inputs)``: calls YOUR code on one case's inputs and returns its
    outputs as a dict (arrays, numbers, strings),
  - ``compare(case, got, expected)``: raises ``CheckFailed`` with a message that says
    what is wrong (which output, which shape, how far off, and a hint).

The visible tests compare your outputs with expected outputs stored in
``expected.npz`` (computed once from the reference solution). The graders' hidden
tests use the very same ``run`` and ``compare`` on more cases.
"""

import contextlib
import functools
import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import serial

REGISTRY = {}
HIDDEN_PASSED = set()  # checks whose hidden tests passed in this kernel (set by the grader)
EXPECTED_FILE = os.path.join(os.path.dirname(__file__), "expected.npz")


class CheckFailed(AssertionError):
    """A test found a wrong result; the message says what and where."""


@dataclass
class Case:
    """One test case: a name for messages, the inputs, and a hint shown on failure."""

    name: str
    inputs: dict
    hint: str = ""
    meta: dict = field(default_factory=dict)


class Check:
    """Base class of the tests of one exercise (see the module docstring)."""

    id = ""  # e.g. "softmax"; also the key of the hidden tests
    notebook = ""  # e.g. "01_building_blocks"
    title = ""  # what the messages call it, e.g. "softmax"
    subjects = ()  # names of your objects the test needs, e.g. ("softmax",)
    collaborators = ()  # names the hidden tests replace by the reference (graded elsewhere)
    rtol = 1e-6  # relative tolerance, measured against the largest expected entry
    uses_expected = True  # False for property checks (e.g. random initialisation)
    # Boolean outputs that must not be False, with the message when they are: e.g.
    # {"input_unchanged": "softmax changed its input array in place ..."}.
    must_hold = {}

    def cases(self):
        raise NotImplementedError

    def derive(self, subjects, inputs):
        """Extra inputs computed with the reference (e.g. hidden states for testing backward).

        Runs only where the reference is available (when expected values are built, and
        in the graders' hidden tests); the visible tests read the stored result.
        """
        return {}

    def run(self, subjects, inputs):
        raise NotImplementedError

    def compare(self, case, got, expected):
        for key, message in self.must_hold.items():
            if isinstance(got, dict) and got.get(key) is False:
                raise CheckFailed(message)
        compare_outputs(got, expected, self.rtol)


def register(cls):
    REGISTRY[cls.id] = cls()
    return cls


# ---------------------------------------------------------------- comparing outputs

def _describe_index(idx):
    return "(" + ", ".join(str(int(i)) for i in idx) + ")"


def compare_arrays(name, got, expected, rtol=1e-6):
    """Raise CheckFailed unless ``got`` matches ``expected`` in type, shape and value.

    Values are compared relative to the scale of the expected array,
        max |got - expected| <= rtol * max(1, max |expected|),
    which accepts any correct order of floating-point operations (loops or vectorised)
    and still catches every real mistake (those are off by far more).
    """
    if not isinstance(got, np.ndarray):
        if isinstance(got, (list, tuple)) or np.isscalar(got):
            got = np.asarray(got)
        else:
            raise CheckFailed(f"{name} should be a numpy array, got {type(got).__name__}")
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        raise CheckFailed(f"{name} has shape {got.shape}, expected {expected.shape}")
    if expected.dtype.kind in "biuf" and got.dtype.kind not in "biuf":
        raise CheckFailed(f"{name} should hold numbers, got dtype {got.dtype}")
    if expected.dtype.kind not in "biuf":
        if not np.array_equal(got, expected):
            raise CheckFailed(f"{name} is {got!r}, expected {expected!r}")
        return
    got = got.astype(float)
    expected = expected.astype(float)
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        bad = np.argwhere(~np.isfinite(got))[0]
        raise CheckFailed(f"{name} contains {got[tuple(bad)]} at index {_describe_index(bad)} "
                          f"(NaN or inf: an overflow or a division by zero?)")
    if got.size == 0:
        return
    with np.errstate(all="ignore"):
        diff = np.abs(got - expected)
        diff = np.where(np.isnan(diff) & np.isnan(got) & np.isnan(expected), 0.0, diff)
    scale = max(1.0, float(np.nanmax(np.abs(expected))) if expected.size else 1.0)
    if not np.nanmax(diff) <= rtol * scale:
        idx = np.unravel_index(int(np.nanargmax(diff)), diff.shape)
        where = f" at index {_describe_index(idx)}" if diff.ndim else ""
        raise CheckFailed(f"{name} is wrong: largest difference {float(diff[idx]):.3g}{where} "
                          f"(yours {got[idx]:.6g}, expected {expected[idx]:.6g})")


def compare_outputs(got, expected, rtol=1e-6, prefix=""):
    """Compare nested outputs (dicts, lists, arrays, numbers) like ``compare_arrays``."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            raise CheckFailed(f"{prefix or 'the result'} should be a dict, "
                              f"got {type(got).__name__}")
        for key, exp in expected.items():
            name = f"{prefix}{key}"
            if key not in got:
                raise CheckFailed(f"{name} is missing")
            compare_outputs(got[key], exp, rtol, prefix=f"{name}.")
        return
    name = prefix[:-1] if prefix.endswith(".") else (prefix or "the result")
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            n = len(got) if isinstance(got, list) else type(got).__name__
            raise CheckFailed(f"{name} should be a list of {len(expected)} items, got {n}")
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            compare_outputs(g, e, rtol, prefix=f"{name}[{i}].")
        return
    if expected is None or isinstance(expected, (bool, str)):
        if got != expected:
            raise CheckFailed(f"{name} is {got!r}, expected {expected!r}")
        return
    compare_arrays(name, got, expected, rtol)


# ------------------------------------------------------------- running your code

@contextlib.contextmanager
def quiet_numpy():
    """Silence numpy's floating-point warnings while a test runs.

    An overflow in your code shows up as NaN/inf in the result, which the comparison
    reports with its index; a RuntimeWarning on stderr would only cost the points of
    an otherwise passing test in nbgrader.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def make_instance(cls, *args, **kwargs):
    """Construct ``cls(*args, **kwargs)``; if your __init__ fails, build a bare instance.

    Tests of one method set every attribute the method needs themselves, so a bug in
    __init__ (graded by its own test) does not also fail the tests of other methods.
    """
    try:
        return cls(*args, **kwargs)
    except Exception:
        return cls.__new__(cls)


def copy_inputs(inputs):
    """Deep copy of arrays and containers, so your code cannot change the test's data."""
    if isinstance(inputs, dict):
        return {k: copy_inputs(v) for k, v in inputs.items()}
    if isinstance(inputs, list):
        return [copy_inputs(v) for v in inputs]
    if isinstance(inputs, np.ndarray):
        return inputs.copy()
    return inputs


# ------------------------------------------------------------- expected values

@functools.lru_cache(maxsize=1)
def _expected_archive():
    with np.load(EXPECTED_FILE, allow_pickle=False) as archive:
        return {k: archive[k].tobytes() for k in archive.files}


def expected_key(check_id, case_name):
    return f"{check_id}/{case_name}"


def stored_case(check_id, case_name):
    """{"derived": extra inputs, "expected": outputs} of a visible case, from expected.npz."""
    try:
        data = _expected_archive()[expected_key(check_id, case_name)]
    except FileNotFoundError:
        raise RuntimeError(f"{EXPECTED_FILE} is missing: reinstall the course helpers") from None
    except KeyError:
        raise RuntimeError(f"no expected values stored for {check_id}/{case_name}: "
                           "your helpers folder is out of date") from None
    return serial.decode(data)


def run_visible(check_id, subjects):
    """Run the visible tests of one exercise on your code.

    Raises CheckFailed (an AssertionError) on the first failure; returns True when all
    pass, so that a test cell reads ``assert check_softmax(softmax)``.
    """
    check = REGISTRY[check_id]
    if check_id in HIDDEN_PASSED:
        # While grading, the hidden tests ran first on the same cases and more, with the
        # reference standing in for earlier exercises: they have the final word.
        print(f"✓ {check.title}: covered by the hidden tests that just passed.")
        return True
    cases = check.cases()
    for case in cases:
        stored = stored_case(check_id, case.name)
        inputs = dict(case.inputs, **stored["derived"])
        try:
            with quiet_numpy():
                got = check.run(subjects, copy_inputs(inputs))
        except NotImplementedError:
            raise
        except CheckFailed:
            raise
        except Exception as e:
            raise CheckFailed(f"{check.title}, test '{case.name}': your code raised "
                              f"{type(e).__name__}: {e}") from e
        try:
            check.compare(Case(case.name, inputs, case.hint), got, stored["expected"])
        except CheckFailed as e:
            hint = f"\nHint: {case.hint}" if case.hint else ""
            raise CheckFailed(f"{check.title}, test '{case.name}': {e}{hint}") from None
    print(f"✓ {check.title}: all {len(cases)} visible tests passed.")
    return True
