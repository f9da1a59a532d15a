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
