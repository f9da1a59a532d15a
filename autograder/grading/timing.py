"""Time limits derived from the reference's own run, not one flat number.

A profile records how long every cell of the source notebooks (the reference answers,
hidden tests included) took when run in the grading sandbox on this course's machines.
A student's cell then gets ``multiple x reference + margin`` seconds, scaled by the load
(more kernels than cores run slower), so a hang costs seconds, not minutes, while any
correct answer has ample room. A cell the reference does not have (the student's own)
gets the most any cell of its notebook gets. The cell that imports an earlier notebook
(``import_from_notebook``) also gets the time that notebook's answer cells took when they
were graded, since it runs them again. A whole notebook gets ``multiple x its
reference time + 4 margins`` plus that carry-forward time.

``--cell-seconds`` and ``--notebook-seconds`` replace the derived limits by flat ones.
The numbers (multiple, margin, fallbacks) are the course's options ``c.GradingTimes.*``
(settings.py): the defaults of the fields below are theirs.
"""

import hashlib
import json
import os
import re
from dataclasses import dataclass, field

from .settings import GradingTimes, default

IMPORT = re.compile(r"import_from_notebook\(\s*[\"']([^\"']+)\.ipynb")


def cell_key(cell, index):
    """A cell's name across the source, the release and a student's copy: its nbgrader
    grade id, else its position."""
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return grade_id or f"#{index}"


def notebook_hash(notebook):
    """Identity of a source notebook's content, to know when a profile is stale."""
    return hashlib.sha256(json.dumps(notebook, sort_keys=True).encode()).hexdigest()[:16]


def profile_entry(run, source_hash):
    """A profile entry of one notebook from its executed reference run."""
    cells = run["cell_seconds"]
    return {"hash": source_hash, "cells": cells, "total": round(sum(cells.values()), 3)}


@dataclass
class TimeLimits:
    """Per-cell and per-notebook wall-clock limits for one kernel."""

    profile: dict = field(default_factory=dict)  # see profile_from_run
    load: float = 1.0  # concurrent kernels per core, at least 1
    multiple: float = default(GradingTimes, "multiple")
    margin: float = default(GradingTimes, "margin")
    notebook_margins: int = default(GradingTimes, "notebook_margins")
    cell_seconds: float | None = default(GradingTimes, "cell_seconds")  # flat override
    notebook_seconds: float | None = default(GradingTimes, "notebook_seconds")  # flat
    fallback_cell_seconds: float = default(GradingTimes, "fallback_cell_seconds")
    fallback_notebook_seconds: float = default(GradingTimes, "fallback_notebook_seconds")
    kernel_startup_seconds: int = default(GradingTimes, "kernel_startup_seconds")

    @classmethod
    def configured(cls, config, **fields):
        """The limits a course's config sets (c.GradingTimes.*, settings.py); ``fields``
        (e.g. ``profile``, ``load``, or a flat ``cell_seconds`` from the command line)
        override them."""
        times = GradingTimes(config=config)
        names = [n for n in cls.__dataclass_fields__ if times.has_trait(n)]
        return cls(**{**{n: getattr(times, n) for n in names}, **fields})

    def _derived(self, seconds):
        return (self.multiple * seconds + self.margin) * self.load

    def cell(self, notebook, key, source="", carried=None):
        """Seconds for the cell ``key`` of ``notebook``; ``carried`` is {notebook: seconds
        its answer cells took when graded}, for cells that import an earlier notebook."""
        if self.cell_seconds is not None:
            return float(self.cell_seconds)
        cells = self.profile.get(notebook, {}).get("cells")
        if not cells:
            return self.fallback_cell_seconds
        base = cells[key] if key in cells else max(cells.values())
        extra = sum((carried or {}).get(name, 0.0) for name in IMPORT.findall(source))
        return round(self._derived(base) + self.multiple * extra * self.load, 1)

    def notebook(self, name, carried=None):
        """Seconds for the whole notebook ``name``."""
        if self.notebook_seconds is not None:
            return float(self.notebook_seconds)
        entry = self.profile.get(name)
        if not entry:
            return self.fallback_notebook_seconds
        extra = sum((carried or {}).values())
        total = entry["total"] + extra
        return round((self.multiple * total + self.notebook_margin) * self.load, 1)

    @property
    def notebook_margin(self):
        return self.notebook_margins * self.margin

    def flat(self):
        return self.cell_seconds is not None and self.notebook_seconds is not None

    def as_dict(self):
        return dict(self.__dict__)


def load_profile(path, hashes):
    """{notebook: entry} of the profile at ``path``, for notebooks whose source is still
    the one that was measured (``hashes``: {notebook: notebook_hash})."""
    try:
        with open(path) as f:
            stored = json.load(f)
    except (OSError, ValueError):
        return {}
    return {
        n: e for n, e in stored.items() if isinstance(e, dict) and e.get("hash") == hashes.get(n)
    }


def save_profile(path, profile):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(profile, f, indent=1)
    os.replace(tmp, path)
