"""The visible tests of the notebooks: ``check_<exercise>(your_object)``.

Each one runs your code on a few fixed cases, compares the results with values computed
by the reference solution, and on the first mismatch raises an AssertionError that says
what is wrong: which output, which shape, how far off, and a hint. When everything
matches it prints a line starting with ✓ and returns True, so a test cell reads
``assert check_<exercise>(your_object)``.

``REGISTRY[exercise_id]`` holds each exercise's visible cases (inputs, expected outputs)
if you want to see exactly what is checked. The graders' hidden tests call your code in
the same way (``runner``) on more cases: other sizes, edge cases, large values.
"""

from . import (  # noqa: F401  (the runner kinds register themselves)
    charlm,
    demo_guard,
    drivers,
    functions,
    gated,
    init,
    layers,
)
from .core import CheckFailed
from .registry import load
from .visible import make_check

REGISTRY = load()
VISIBLE = {exercise_id: make_check(tests, REGISTRY) for exercise_id, tests in REGISTRY.items()}
globals().update({check.__name__: check for check in VISIBLE.values()})
demo_guard.install()  # a cell after a failing test says "fix the test above first"

__all__ = ["REGISTRY", "VISIBLE", "CheckFailed", *(c.__name__ for c in VISIBLE.values())]
