"""The house: which package imports which, drawn for the README and checked by the tests.

The floors, top to bottom (pyproject.toml's [tool.importlinter] states the same rules
for ``lint-imports``):

    bench | deploy     benchmarks; the course on JupyterHub
    authoring          notebooks, release, figures, claims, README, student bundle
    autograder         the instructor's grading system
    course             text, reference, exercises, judge, paths
    helpers            what students import

A package imports only floors below its own, and no package has an import circle among
its sub-packages and modules.
"""

import grimp

FLOORS = (("bench", "deploy"), ("authoring",), ("autograder",), ("course",), ("helpers",))
PACKAGES = tuple(p for floor in FLOORS for p in floor)
# The rooms of the grading system, drawn inside it.
ROOMS = "autograder"


def graph():
    """The import graph of every package of the house (grimp, as lint-imports builds it)."""
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def floor_of(package):
    return next(i for i, floor in enumerate(FLOORS) if package in floor)


def unit(module):
    """What a module counts as in the drawing: its top package, or a room of autograder."""
    parts = module.split(".")
    if parts[0] == ROOMS and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def edges(g=None):
    """Sorted (importer, imported) pairs between the drawing's units."""
    g = g or graph()
    pairs = set()
    for module in g.modules:
        for imported in g.find_modules_directly_imported_by(module):
            a, b = unit(module), unit(imported)
            if a != b:
                pairs.add((a, b))
    return sorted(pairs)


def upward_imports(g=None):
    """[(importer, imported)] of modules importing their own floor's or a higher floor's
    package (siblings on one floor are independent)."""
    g = g or graph()
    found = []
    for module in sorted(g.modules):
        for imported in sorted(g.find_modules_directly_imported_by(module)):
            a, b = module.split(".")[0], imported.split(".")[0]
            if a != b and floor_of(b) <= floor_of(a):
                found.append((module, imported))
    return found


def circles(g=None):
    """{package: imports that would break its circles}, for every package with one."""
    g = g or graph()
    found = {}
    for package in sorted(m for m in g.modules if g.find_children(m)):
        breakers = g.nominate_cycle_breakers(package)
        if breakers:
            found[package] = sorted(breakers)
    return found


def mermaid(g=None):
    """The drawing: one box per floor, one arrow per importing pair of units."""
    pairs = edges(g)
    units = sorted({u for pair in pairs for u in pair} | (set(PACKAGES) - {ROOMS}))
    lines = ["flowchart TD"]
    for i, floor in enumerate(FLOORS):
        lines.append(f'  subgraph floor{i}["{" | ".join(floor)}"]')
        lines += [f"    {u.replace('.', '_')}[{u}]" for u in units if u.split(".")[0] in floor]
        lines.append("  end")
    lines += [f"  {a.replace('.', '_')} --> {b.replace('.', '_')}" for a, b in pairs]
    return "\n".join(lines)
