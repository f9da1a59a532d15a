"""Bounds on what a notebook's outputs may hold, enforced outside the kernel.

The kernel caps what one cell prints (harness/output_cap.py), but student code can undo
that, and it never covered display outputs: 6 MB of HTML cost the coordinator 68 s and
~900 MB (cleaning HTML is slow), 100 MB of text made a 105 MB feedback page, 100,000
tiny outputs took 52 s. The grading worker (execute.py) applies these bounds to every
cell as its outputs arrive and again when the cell is done, and the feedback exporter
applies them to whatever notebook it renders:

  - at most MAX_OUTPUTS per cell;
  - at most MAX_CELL_CHARS of output per cell and MAX_NOTEBOOK_CHARS per notebook;
  - rich text (HTML, markdown, LaTeX, SVG, JSON), the costly kind, at most
    MAX_RICH_CHARS per output and MAX_RICH_NOTEBOOK_CHARS per notebook: past that an
    output keeps its plain-text form;
  - an error's traceback at most MAX_TRACEBACK_LINES lines of MAX_LINE_CHARS.

What is left out is said, in one line at the end of the cell's outputs. The course's
own notebooks stay far below every bound (their largest cell output is a plot, ~100 KB).
"""

import json
import re

import nbformat

MAX_OUTPUTS = 100
MAX_ERRORS = 10
MAX_CELL_CHARS = 2 * 1024**2
MAX_NOTEBOOK_CHARS = 16 * 1024**2
MAX_RICH_CHARS = 256 * 1024
MAX_RICH_NOTEBOOK_CHARS = 1024**2
MAX_TRACEBACK_LINES = 100
MAX_LINE_CHARS = 4000
ERROR_OVERDRAFT = 1024**2  # short errors still shown once the notebook's budget is spent
RICH = ("text/html", "text/markdown", "text/latex", "image/svg+xml", "application/javascript")
NOTE = "... {n} output(s) ({chars} characters) left out by the grader: too much output ...\n"
EARLIER_NOTE = re.compile(
    re.escape(NOTE).replace(r"\{n\}", r"(\d+)").replace(r"\{chars\}", r"(\d+)")
)


def _chars(value):
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sum(len(v) for v in value)
    return len(json.dumps(value, default=str))


def output_chars(output):
    """The size of one output, in characters of its JSON text (near enough)."""
    kind = output.get("output_type")
    if kind == "stream":
        return _chars(output.get("text", ""))
    if kind == "error":
        return _chars(output.get("traceback", [])) + _chars(output.get("evalue", ""))
    return sum(_chars(v) for v in (output.get("data") or {}).values())


def _cut(text, limit):
    return text if len(text) <= limit else text[:limit] + "\n... (cut by the grader)\n"


class Budget:
    """What one notebook may still hold; ``admit`` decides each output in turn."""

    def __init__(self):
        self.notebook = MAX_NOTEBOOK_CHARS
        self.rich = MAX_RICH_NOTEBOOK_CHARS

    def admit(self, output, cell):
        """``output`` as it may be kept in a cell with ``cell`` (a CellBudget) so far,
        or None if it is left out. Errors have their own count: a flood of displays
        never hides the error that ended the cell (a time limit, say)."""
        if output.get("output_type") == "error":
            if cell.errors >= MAX_ERRORS:
                return None
            cell.errors += 1
        elif cell.count >= MAX_OUTPUTS:
            return None
        output = _bounded_error(output) if output.get("output_type") == "error" else output
        output = self._bounded_rich(output)
        size = output_chars(output)
        room = min(cell.chars, self.notebook)
        if size > room:
            kind = output.get("output_type")
            if kind == "error" and self.notebook > -ERROR_OVERDRAFT:
                output = _short_error(output)  # an error is always said, if shortly
            elif kind == "stream" and room > 0:
                output = nbformat.from_dict(dict(output, text=_cut(_text(output), room)))
            else:
                return None
            size = output_chars(output)
        cell.count += output.get("output_type") != "error"
        cell.chars -= size
        self.notebook -= size
        return output

    def _bounded_rich(self, output):
        data = output.get("data")
        if not data:
            return output
        rich = sum(_chars(v) for k, v in data.items() if k in RICH or k.endswith("json"))
        if rich == 0:
            return output
        if rich <= min(MAX_RICH_CHARS, self.rich):
            self.rich -= rich
            return output
        plain = _cut(_text({"text": data.get("text/plain", "")}), MAX_LINE_CHARS)
        kept = {"text/plain": plain or "(a display too large to show)"}
        return nbformat.from_dict(dict(output, data=kept, metadata={}))


class CellBudget:
    def __init__(self):
        self.count, self.errors, self.chars = 0, 0, MAX_CELL_CHARS
        self.left_out, self.left_out_chars = 0, 0


def _text(output):
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _bounded_error(output):
    tb = [str(line) for line in output.get("traceback", [])]
    if len(tb) > MAX_TRACEBACK_LINES:
        half = MAX_TRACEBACK_LINES // 2
        tb = tb[:half] + ["... (traceback cut by the grader) ..."] + tb[-half:]
    tb = [_cut(line, MAX_LINE_CHARS) for line in tb]
    evalue = _cut(str(output.get("evalue", "")), MAX_LINE_CHARS)
    return nbformat.from_dict(dict(output, traceback=tb, evalue=evalue))


def _short_error(output):
    ename, evalue = str(output.get("ename", "Error")), str(output.get("evalue", ""))[:200]
    return nbformat.v4.new_output(
        "error", ename=ename[:200], evalue=evalue, traceback=[f"{ename[:200]}: {evalue}"]
    )


def merged_streams(outputs):
    """Consecutive stream outputs of the same stream as one (as nbclient's
    coalesce_streams): a loop that prints is one output, not one per print."""
    merged, pieces = [], []  # pieces: the texts of merged[-1] while it is a stream
    for output in outputs:
        last = merged[-1] if merged else None
        if (
            last is not None
            and output.get("output_type") == "stream" == last.get("output_type")
            and output.get("name") == last.get("name")
        ):
            pieces.append(_text(output))
            continue
        _join(merged, pieces)
        merged.append(output)
        pieces = [_text(output)] if output.get("output_type") == "stream" else []
    _join(merged, pieces)
    return merged


def _join(merged, pieces):
    if len(pieces) > 1:
        merged[-1] = nbformat.from_dict(dict(merged[-1], text="".join(pieces)))


def bound_cell(outputs, budget, left_out=(0, 0)):
    """The outputs of one cell within ``budget`` (a Budget for the whole notebook), with
    a note of what was left out (``left_out``: (outputs, characters) already left out
    before, as they arrived)."""
    cell, kept = CellBudget(), []
    cell.left_out, cell.left_out_chars = left_out
    for output in merged_streams(_earlier_notes(outputs, cell)):
        admitted = budget.admit(output, cell)
        if admitted is None:
            cell.left_out += 1
            cell.left_out_chars += output_chars(output)
        else:
            kept.append(admitted)
    if cell.left_out:
        note = NOTE.format(n=cell.left_out, chars=cell.left_out_chars)
        kept.append(nbformat.v4.new_output("stream", name="stdout", text=note))
    return kept


def _earlier_notes(outputs, cell):
    """The outputs without the note of an earlier bound (bounding again must say what
    the first bound left out, not count its note as an output), counted into ``cell``."""
    kept = []
    for output in outputs:
        m = output.get("output_type") == "stream" and EARLIER_NOTE.fullmatch(_text(output))
        if m:
            cell.left_out += int(m[1])
            cell.left_out_chars += int(m[2])
        else:
            kept.append(output)
    return kept


def bound_notebook(nb):
    """Every code cell of ``nb`` within the bounds, in place; returns ``nb``."""
    budget = Budget()
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = bound_cell(cell.get("outputs", []), budget)
    return nb
