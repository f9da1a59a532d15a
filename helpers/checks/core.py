"""The machinery behind every test in the notebooks: cases, comparisons, failures.

A test case is a name, the inputs your code is called with, and a hint. Your outputs are
compared with the reference solution's outputs, relative to their scale; the first
mismatch raises ``CheckFailed``, which knows *which* output was wrong, so the message can
carry the hint that belongs to that output.
"""

import contextlib
import contextvars
import warnings
from dataclasses import dataclass

import numpy as np


class CheckFailed(AssertionError):
    """A test found a wrong result; the message says what and where.

    ``output`` names the output that was wrong ("dW_hh", "layer0.updates[1].dP"), or is
    None; ``path`` is where it sits in the outputs (("layer0", "updates", 1, "dP")).
    """

    def __init__(self, message, output=None, path=None):
        super().__init__(message)
        self.output = output
        self.path = path if path is not None else ((output,) if output else ())


def value_at(outputs, path):
    """The part of nested ``outputs`` at ``path`` (KeyError/IndexError/TypeError if absent)."""
    for key in path:
        outputs = outputs[key]
    return outputs


@dataclass
class Case:
    """One test case: a name for messages, the inputs, and a hint shown on failure."""

    name: str
    inputs: dict
    hint: str = ""


# ---------------------------------------------------------------- comparing outputs

# Whether a failure message quotes the expected value. The grader's judge turns it off
# for hidden cases: their messages reach the student's feedback, and a hidden case's
# inputs with its expected outputs is the answer to that case.
_SHOW_EXPECTED = contextvars.ContextVar("show_expected", default=True)


@contextlib.contextmanager
def expected_values_hidden():
    """Failure messages inside this block say what is wrong without the expected value."""
    token = _SHOW_EXPECTED.set(False)
    try:
        yield
    finally:
        _SHOW_EXPECTED.reset(token)


def _expected(text):
    return f", expected {text}" if _SHOW_EXPECTED.get() else ", not what was expected"


def describe_index(idx):
    return "(" + ", ".join(str(int(i)) for i in idx) + ")"


def _as_array(name, got, path):
    if isinstance(got, np.ndarray):
        return got
    if isinstance(got, (list, tuple)):
        # A list of arrays looks right here but breaks the code that uses it (a correct
        # backward reading hs.shape): where an array is meant, require one.
        raise CheckFailed(
            f"{name} should be a numpy array, got a {type(got).__name__}: make it one "
            f"(np.zeros of the right shape, filled step by step, or np.array(...) of the list)",
            name,
            path,
        )
    if np.isscalar(got):
        return np.asarray(got)
    if got is None:
        raise CheckFailed(f"{name} is None: is it computed and returned (or stored)?", name, path)
    raise CheckFailed(f"{name} should be a numpy array, got {type(got).__name__}", name, path)


def _differences(got, expected):
    """|got - expected| elementwise; 0 where both are the same NaN or infinity, inf where
    only one of them is NaN."""
    with np.errstate(all="ignore"):
        diff = np.abs(got - expected)
    same = (np.isnan(got) & np.isnan(expected)) | (np.isinf(got) & (got == expected))
    diff = np.where(same, 0.0, diff)
    return np.where(np.isnan(diff), np.inf, diff)


def _compare_numbers(name, got, expected, rtol, path):
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        bad = np.argwhere(~np.isfinite(got))[0]
        raise CheckFailed(
            f"{name} contains {got[tuple(bad)]} at index {describe_index(bad)} "
            f"(NaN or inf: an overflow or a division by zero?)",
            name,
            path,
        )
    if got.size == 0:
        return
    diff = _differences(got, expected)
    finite = np.abs(expected[np.isfinite(expected)])
    scale = max(1.0, float(finite.max()) if finite.size else 1.0)
    if not diff.max() <= rtol * scale:
        idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
        where = f" at index {describe_index(idx)}" if diff.ndim else ""
        detail = (
            f": largest difference {float(diff[idx]):.3g}{where} "
            f"(yours {got[idx]:.6g}, expected {expected[idx]:.6g})"
            if _SHOW_EXPECTED.get()
            else f"{where} (yours {got[idx]:.6g})"  # the difference would give it away
        )
        raise CheckFailed(f"{name} is wrong{detail}", name, path)


def compare_arrays(name, got, expected, rtol=1e-6, path=None):
    """Raise CheckFailed unless ``got`` matches ``expected`` in type, shape and value.

    Values are compared relative to the scale of the expected array,
        max |got - expected| <= rtol * max(1, max |expected|),
    which accepts any correct order of floating-point operations (loops or vectorised)
    and still catches every real mistake (those are off by far more).
    """
    path = (name,) if path is None else path
    got = _as_array(name, got, path)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        raise CheckFailed(f"{name} has shape {got.shape}{_expected(expected.shape)}", name, path)
    numeric = "biuf"
    if expected.dtype.kind in numeric and got.dtype.kind not in numeric:
        raise CheckFailed(f"{name} should hold numbers, got dtype {got.dtype}", name, path)
    if expected.dtype.kind not in numeric:
        if not np.array_equal(got, expected):
            raise CheckFailed(f"{name} is {got!r}{_expected(repr(expected))}", name, path)
        return
    _compare_numbers(name, got.astype(float), expected.astype(float), rtol, path)


def _compare_dict(got, expected, rtol, prefix, path):
    if not isinstance(got, dict):
        name = prefix[:-1] or "the result"
        raise CheckFailed(f"{name} should be a dict, got {type(got).__name__}", name, path)
    for key, exp in expected.items():
        name = f"{prefix}{key}"
        if key not in got:
            raise CheckFailed(f"{name} is missing", name, (*path, key))
        compare_outputs(got[key], exp, rtol, prefix=f"{name}.", path=(*path, key))


def _compare_list(name, got, expected, rtol, path):
    if not isinstance(got, list) or len(got) != len(expected):
        n = len(got) if isinstance(got, list) else type(got).__name__
        raise CheckFailed(f"{name} should be a list of {len(expected)} items, got {n}", name, path)
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        compare_outputs(g, e, rtol, prefix=f"{name}[{i}].", path=(*path, i))


def compare_outputs(got, expected, rtol=1e-6, prefix="", path=()):
    """Compare nested outputs (dicts, lists, arrays, numbers) like ``compare_arrays``."""
    if isinstance(expected, dict):
        _compare_dict(got, expected, rtol, prefix, path)
        return
    name = prefix[:-1] if prefix.endswith(".") else (prefix or "the result")
    if isinstance(expected, list):
        _compare_list(name, got, expected, rtol, path)
    elif expected is None or isinstance(expected, (bool, str)):
        if got != expected:
            raise CheckFailed(f"{name} is {got!r}{_expected(repr(expected))}", name, path)
    else:
        compare_arrays(name, got, expected, rtol, path)


def matches(got, expected, rtol=1e-6):
    """True if ``got`` passes ``compare_outputs`` against ``expected``."""
    try:
        with quiet_numpy():
            compare_outputs(got, expected, rtol)
    except (CheckFailed, TypeError, ValueError):
        return False
    return True


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
