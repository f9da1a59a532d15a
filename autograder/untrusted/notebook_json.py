"""A submitted notebook's JSON, read within limits, so that one malformed file fails
alone with its reason and never stops the batch.

Python's json parser recurses once per bracket: 300,000 nested brackets in a cell's
metadata raised RecursionError out of the intake, and nobody was graded. A notebook
nested a few hundred deep still parses, but then breaks what recurses after it
(nbformat's validation, deepcopy, jsonschema), in the coordinator. Jupyter's own
notebooks nest about ten deep (notebook, cells, cell, outputs, output, data, ...), so a
submission nested deeper than MAX_DEPTH is refused before anything else looks at it,
as are one larger than MAX_NOTEBOOK_BYTES and one that is not UTF-8 JSON.
"""

import json
import os

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 100


class InvalidNotebook(ValueError):
    """The file is not a notebook we can grade; the message says why."""


def load_json(path):
    """The JSON value in ``path``, or InvalidNotebook (size, encoding, syntax, depth)."""
    size = os.path.getsize(path)
    if size > MAX_NOTEBOOK_BYTES:
        raise InvalidNotebook(
            f"the file is {size / 2**20:.0f} MB, larger than the "
            f"{MAX_NOTEBOOK_BYTES // 2**20} MB limit"
        )
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except UnicodeDecodeError as e:
        raise InvalidNotebook(f"not UTF-8 text ({e.reason})") from None
    except json.JSONDecodeError as e:
        raise InvalidNotebook(
            f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}"
        ) from None
    except RecursionError:  # the C parser's own guard: nothing is left half-done
        raise InvalidNotebook(_too_deep()) from None
    check_depth(data)
    return data


def check_depth(value):
    """InvalidNotebook if ``value`` (parsed JSON, or a notebook) nests deeper than
    MAX_DEPTH lists and objects; counted without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise InvalidNotebook(_too_deep())
        stack.extend((child, depth + 1) for child in children)


def _too_deep():
    return f"its JSON is nested more than {MAX_DEPTH} levels deep (a notebook needs about 10)"
