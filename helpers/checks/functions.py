"""The runner for exercises that are plain functions of arrays."""

from dataclasses import dataclass

import numpy as np

from .core import CheckFailed, compare_outputs
from .runner import Runner, register


def real_number(value, name):
    """``value`` as a float, or CheckFailed if it is not one real number (None stays None)."""
    if value is None:
        return None
    if isinstance(value, np.ndarray) and value.shape != ():
        raise CheckFailed(
            f"{name} should be a single number, got an array of shape {value.shape}", name
        )
    if np.iscomplexobj(value):
        raise CheckFailed(
            f"{name} is the complex number {value}: it should be a real number "
            f"(np.abs gives the modulus of a complex number)",
            name,
        )
    try:
        return float(value)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} should be a number, got {type(value).__name__}", name) from None


@register
@dataclass(frozen=True, kw_only=True)
class FunctionCall(Runner):
    """Call your function with the case's inputs ``args`` (in order); it must not change them.

    output: the name of the result in messages ("probs", "loss", ...).
    scalar: the result must be one real number.
    """

    args: tuple
    output: str
    scalar: bool = False

    def run(self, fn, inputs):
        args = [inputs[name] for name in self.args]
        before = [np.copy(a) for a in args]
        result = fn(*args)
        out = {self.output: real_number(result, self.output) if self.scalar else result}
        for name, arg, old in zip(self.args, args, before, strict=True):
            out[f"{name}_unchanged"] = bool(np.array_equal(arg, old))
        return out

    def compare(self, case, got, expected):
        for name in self.args:
            if isinstance(got, dict) and got.get(f"{name}_unchanged") is False:
                raise CheckFailed(
                    f"your code changed its argument {name} in place; compute on a copy "
                    f"(e.g. shifted = {name} - ...) instead of {name} -= ...",
                    name,
                )
        compare_outputs(got, expected, self.rtol)
