"""Find every file below the input folder, inside archives (and archives in archives) too.

Each file gets a *logical* path, the one an instructor recognises: relative to the input
folder, with an archive's members below the archive's name
("canvas.zip/leeann_12345_678_rnn.zip/02_rnn_forward.ipynb"), and a physical path to read
it from (the file itself, or its unpacked copy).
"""

import os
from dataclasses import dataclass

from .archives import ArchiveError, Budget, Unpacker, archive_kind

MAX_NESTING = 3  # archives in archives in archives


@dataclass
class FoundFile:
    logical: str  # "/"-separated, relative to the input folder
    path: str  # where to read it
    mtime: float
    archived: bool = False  # it came out of an archive

    @property
    def parts(self):
        return tuple(self.logical.split("/"))


@dataclass
class Problem:
    """A file (or archive) that could not be read at all."""

    logical: str
    reason: str


def scan(source, unpack_to):
    """([FoundFile], [Problem]) for everything below ``source``.

    Archives are unpacked below ``unpack_to``; a damaged archive or member becomes a
    Problem, and everything else is still found.
    """
    unpacker = Unpacker(unpack_to)
    found, problems = [], []
    for dirpath, dirs, files in os.walk(source):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            logical = os.path.relpath(path, source).replace(os.sep, "/")
            item = FoundFile(logical, path, _mtime(path))
            _add(item, unpacker, found, problems, depth=0, budget=None)
    return found, problems


def _mtime(path):
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _add(item, unpacker, found, problems, depth, budget):
    """``budget``: the Budget of the archive ``item`` is in (None at the top), shared
    with every archive inside it."""
    kind = archive_kind(item.logical)
    if kind is None:
        found.append(item)
    elif kind == "unsupported":
        problems.append(
            Problem(item.logical, "archive format not supported: unpack it into a folder here")
        )
    elif depth >= MAX_NESTING:
        problems.append(Problem(item.logical, f"archives nested more than {MAX_NESTING} deep"))
    else:
        budget = budget or Budget()
        try:
            members, member_problems = unpacker.unpack(item.path, budget)
        except ArchiveError as e:
            problems.append(Problem(item.logical, str(e)))
            return
        for name, reason in member_problems:
            problems.append(Problem(f"{item.logical}/{name}", reason))
        for m in members:
            name = m.name.replace("\\", "/")
            inner = FoundFile(f"{item.logical}/{name}", m.path, m.mtime, archived=True)
            _add(inner, unpacker, found, problems, depth + 1, budget)
