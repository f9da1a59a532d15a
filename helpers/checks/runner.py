"""Runners: how the tests call one kind of exercise, and how they compare the results.

A runner is a small frozen dataclass. The graders' kernel rebuilds the very runner the
visible tests use from its ``spec()`` (its kind and fields), so both run your code in
exactly the same way. Every runner has

  - ``run(subject, inputs)``: calls YOUR object (a function or a class) on one case's
    inputs and returns what it produced, as a dict of outputs;
  - ``compare(case, got, expected)``: raises ``CheckFailed`` saying what is wrong;
  - ``derive(subject, inputs)``: extra inputs computed with the reference solution, e.g.
    the hidden states of a correct forward pass, so that backward is tested on its own.
"""

from dataclasses import asdict, dataclass, fields
from typing import ClassVar

from .core import CheckFailed, compare_outputs

RUNNERS = {}  # kind (class name) -> runner class


def register(cls):
    """Class decorator: make a runner kind rebuildable from its spec."""
    RUNNERS[cls.__name__] = cls
    return cls


@dataclass(frozen=True, kw_only=True)
class Runner:
    """Base class of every runner (see the module docstring)."""

    rtol: float = 1e-6  # relative tolerance, measured against the largest expected entry
    # False for tests that judge properties (random initialisation) instead of values.
    uses_expected: ClassVar[bool] = True
    # Boolean outputs that must not be False, with the message when they are, e.g.
    # {"dy_unchanged": "backward changed its argument dy in place; ..."}.
    must_hold: ClassVar[dict] = {}

    def derive(self, subject, inputs):
        return {}

    def run(self, subject, inputs):
        raise NotImplementedError

    def compare(self, case, got, expected):
        self.check_must_hold(got)
        compare_outputs(got, expected, self.rtol)

    def check_must_hold(self, got):
        for key, message in self.must_hold.items():
            if isinstance(got, dict) and got.get(key) is False:
                raise CheckFailed(message, key)

    def spec(self):
        """{"kind": ..., field: value, ...}: what the graders' kernel rebuilds it from."""
        return {"kind": type(self).__name__, **asdict(self)}


def from_spec(spec):
    """The runner described by ``spec`` (the inverse of ``Runner.spec``)."""
    cls = RUNNERS[spec["kind"]]
    values = {f.name: spec[f.name] for f in fields(cls) if f.name in spec}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return cls(**values)
