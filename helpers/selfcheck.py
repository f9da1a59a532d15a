"""Check your notebooks from a terminal: every failing test, with its message.

    make validate                                                  (all five notebooks)
    .venv/bin/python -m helpers.selfcheck release/rnn/01_building_blocks.ipynb   (one)

It runs each notebook from the top in a fresh kernel with nbgrader's Validator, exactly
like the Validate button, and prints one block per failing test: the check and what it
says is wrong. Unlike ``nbgrader validate``, it ends with exit status 1 when a test fails,
so scripts (and `make`) can rely on it. Nothing to activate first: run it with the
course's own Python, ``.venv/bin/python`` (``.venv\\Scripts\\python`` on Windows).
"""

import argparse
import os
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def notebooks_in(paths):
    """The .ipynb files named in ``paths`` (folders are searched, checkpoints skipped)."""
    found = []
    for path in paths:
        if os.path.isdir(path):
            found += sorted(os.path.join(path, n) for n in os.listdir(path) if n.endswith(".ipynb"))
        else:
            found.append(path)
    return found


UNANSWERED = "NotImplementedError: not answered yet (replace raise NotImplementedError())"


def message(raw_error):
    """What the test said: the last exception line and its hint, without the traceback."""
    lines = [ln for ln in ANSI.sub("", raw_error).splitlines() if ln.strip()]
    errors = [i for i, ln in enumerate(lines) if re.match(r"^\w+(Error|Failed|Exception)\b", ln)]
    text = "\n".join(lines[errors[-1] if errors else -1 :])
    return UNANSWERED if text.strip() in ("NotImplementedError", "NotImplementedError:") else text


def problems(results):
    """One text per problem nbgrader's Validator found in a notebook."""
    out = []
    for cell in results.get("type_changed", []):
        out.append(
            f"a cell was changed from {cell['old_type']} to {cell['new_type']}:\n"
            f"{cell['source'][:200]}"
        )
    for cell in results.get("changed", []):
        out.append(f"a read-only cell was edited (the grader restores it):\n{cell['source'][:200]}")
    for cell in results.get("failed", []):
        test = cell["source"].strip().splitlines()[-1]
        out.append(f"{test}\n{message(cell['raw_error'])}")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths",
        nargs="*",
        default=["release/rnn"],
        help="notebooks or folders of notebooks (default: release/rnn)",
    )
    args = parser.parse_args(argv)
    from nbgrader.validator import Validator

    notebooks = notebooks_in(args.paths)
    if not notebooks:
        print(f"no notebook found in {' '.join(args.paths)}", file=sys.stderr)
        return 2
    passing = 0
    for path in notebooks:
        found = problems(Validator().validate(path))
        print(
            f"{'✓' if not found else '✗'} {path}" + (f": {len(found)} problem(s)" if found else "")
        )
        for text in found:
            print("    " + text.replace("\n", "\n    "))
        passing += not found
    print(f"{passing} of {len(notebooks)} notebooks pass all their tests")
    return 0 if passing == len(notebooks) else 1


if __name__ == "__main__":
    sys.exit(main())
