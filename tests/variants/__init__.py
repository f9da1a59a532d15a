"""Student implementations for the adversarial test suite (tests/test_variants.py).

Every module ``nb1`` .. ``nb6`` holds implementations of one notebook's exercises,
written the way a student would write them, and a registry ``VARIANTS`` of
``Variant`` records:

- ``kind="correct"``: a correct implementation (another formulation, loop order,
  library call, ...): the visible and the hidden tests must accept it;
- ``kind="bug"``: a wrong implementation: the hidden tests must reject it, and the
  visible tests too unless ``visible=False`` (the visible cases cannot show it);
- ``also_pass``: other checks whose hidden tests the same notebook namespace must
  still pass (a bug is graded once, in its own exercise).

``objects`` maps notebook names to objects, like a notebook's ``globals()``.
``Variant.namespace()`` builds that namespace: plain functions defined in these
modules are re-created with the namespace as their globals, exactly as if they had
been written in one notebook, so the hidden tests' substitution of collaborators
(``softmax`` inside ``run_training``, ...) sees them as it would in a real kernel.
"""

import builtins
import re
import types
from dataclasses import dataclass

KINDS = ("correct", "bug")


@dataclass(frozen=True)
class Variant:
    check: str
    name: str
    kind: str
    objects: dict
    visible: bool = True
    also_pass: tuple = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def id(self):
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return f"{self.check}-{self.kind}-{slug}"

    def namespace(self):
        """A notebook-like globals() dict holding ``objects`` and what they use."""
        ns, homes = {}, []
        for obj in self.objects.values():
            g = getattr(obj, "__globals__", None)
            if isinstance(g, dict) and all(g is not h for h in homes):
                homes.append(g)
                ns.update((k, v) for k, v in g.items() if not k.startswith("__"))
        ns.update(self.objects)
        ns["__name__"], ns["__builtins__"] = "__main__", builtins
        # Functions written in the same notebook as the objects share its globals;
        # those imported from an earlier notebook keep that notebook's globals.
        for key, value in list(ns.items()):
            if isinstance(value, types.FunctionType) and any(value.__globals__ is h for h in homes):
                ns[key] = _rebind(value, ns)
        return ns


def _rebind(fn, ns):
    """``fn`` with ``ns`` as its globals (as if defined in the notebook ``ns``)."""
    new = types.FunctionType(fn.__code__, ns, fn.__name__, fn.__defaults__, fn.__closure__)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__qualname__ = fn.__qualname__
    new.__doc__ = fn.__doc__
    return new


# ----------------------------------------------------------------- what every exercise needs
# (README, "Adding an exercise"; checked by tests/test_adding_an_exercise.py)

MINIMUM = 3  # correct and bug variants per exercise


def module_of(notebook):
    """The variants module of a notebook: "01_building_blocks" -> "tests/variants/nb1.py"."""
    return f"tests/variants/nb{int(notebook[:2])}.py"


def missing_variants(exercises, variants):
    """What the variants suite lacks, one message per gap saying what to add, for
    ``exercises`` ({exercise id: notebook name}) and the ``variants`` it holds."""
    gaps = []
    for check, notebook in exercises.items():
        for kind in KINDS:
            have = sum(v.check == check and v.kind == kind for v in variants)
            if have < MINIMUM:
                gaps.append(
                    f"exercise {check!r} has {have} {kind!r} variants, the suite needs "
                    f"{MINIMUM}: add Variant({check!r}, <name>, {kind!r}, {{<name in the "
                    f"notebook>: <your implementation>}}) entries to VARIANTS in "
                    f"{module_of(notebook)}"
                )
    return gaps


def missing_typical(exercises, typical, bugs):
    """The exercises (ids) with no entry in the diagnostics suite's ``typical`` table
    (tests/test_diagnostics.py, TYPICAL), one message each saying what to add; ``bugs``
    are the visible bug variants the table's keys name."""
    covered = {v.check for v in bugs if v.id in typical}
    return [
        f"exercise {check!r} has no entry in TYPICAL (tests/test_diagnostics.py): add "
        f"'<the id of one of its bug variants, e.g. {check}-bug-...>': (<the test case it "
        "fails first>, <what the message says is wrong, e.g. 'y is wrong'>, <words of the "
        "hint>)"
        for check in exercises
        if check not in covered
    ]
