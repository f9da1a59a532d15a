"""Cheap property checks that run before the values are compared.

"Your probabilities do not sum to 1 over the vocabulary axis" says more than "probs is
wrong at index (0, 1, 2)". A property is a small frozen dataclass, exported with the
visible cases like a runner (``spec()``), so the graders' kernel checks the same ones.
"""

from dataclasses import asdict, dataclass, fields

import numpy as np

from .core import CheckFailed

PROPERTIES = {}  # kind (class name) -> property class


def register(cls):
    PROPERTIES[cls.__name__] = cls
    return cls


@dataclass(frozen=True)
class Property:
    output: str  # the output the property is about

    def check(self, got):
        """Raise CheckFailed (naming ``output``) if ``got[output]`` breaks the property."""
        value = got.get(self.output) if isinstance(got, dict) else None
        if value is not None:
            self.check_value(np.asarray(value))

    def check_value(self, value):
        raise NotImplementedError

    def spec(self):
        return {"kind": type(self).__name__, **asdict(self)}


def property_from_spec(spec):
    cls = PROPERTIES[spec["kind"]]
    return cls(**{f.name: spec[f.name] for f in fields(cls) if f.name in spec})


@register
@dataclass(frozen=True)
class SumsToOne(Property):
    """Every slice along ``axis`` sums to 1 (a probability distribution)."""

    axis: int = -1

    def check_value(self, value):
        if value.ndim == 0 or value.dtype.kind not in "biuf" or not np.all(np.isfinite(value)):
            return  # the comparison reports wrong types, shapes and NaNs
        sums = value.sum(axis=self.axis)
        if np.allclose(sums, 1.0, rtol=0, atol=1e-6):
            return
        other = [
            a
            for a in range(value.ndim)
            if a != self.axis % value.ndim
            and np.allclose(value.sum(axis=a), 1.0, rtol=0, atol=1e-6)
        ]
        where = f"; yours sum to 1 over axis {other[0]} instead" if other else ""
        idx = np.unravel_index(int(np.argmax(np.abs(sums - 1.0))), sums.shape)
        at = ", ".join(str(int(i)) for i in idx)
        axis = "the last axis (the vocabulary)" if self.axis == -1 else f"axis {self.axis}"
        raise CheckFailed(
            f"{self.output} should sum to 1 over {axis}: {self.output}[{at}, :].sum() is "
            f"{float(sums[idx]):.6g}{where}",
            self.output,
        )


@register
@dataclass(frozen=True)
class NonNegative(Property):
    """The value is never negative (a loss, a norm), beyond rounding (``tolerance``);
    ``why`` says why, in the message."""

    why: str = ""
    tolerance: float = 1e-6

    def check_value(self, value):
        if value.dtype.kind in "biuf" and np.any(value < -self.tolerance):
            worst = float(np.min(value))
            why = f" ({self.why})" if self.why else ""
            raise CheckFailed(
                f"{self.output} is {worst:.6g}, but it can never be negative{why}",
                self.output,
            )
