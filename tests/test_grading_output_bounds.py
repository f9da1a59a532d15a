"""Output floods (issue 20, 9), on in-memory notebooks: a cell's outputs are bounded in
the kernel (harness/output_cap.py), as they reach the grading worker (execute.py), and
wherever a notebook is scored or rendered (untrusted/output_bounds.py); a notebook's cells
are bounded at intake (normalize.py). No kernel runs here."""

import json
import time
from types import SimpleNamespace

import nbformat
import pytest

from autograder.grading.execute import BoundedClient
from autograder.grading.normalize import InvalidNotebook, read_submission
from autograder.harness.output_cap import MAX_DISPLAYS, CellOutputCap
from autograder.untrusted import output_bounds
from autograder.untrusted.output_bounds import bound_notebook, output_chars


def notebook(*outputs, cells=1):
    """A notebook from plain dicts (nbformat's new_output validates each: too slow here)."""
    code = [
        {"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": "x", "outputs": []}
        for i in range(cells)
    ]
    for cell in code:
        cell["execution_count"] = 1
    code[0]["outputs"] = list(outputs)
    return nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": code})


def display(mimetype, value):
    return {"output_type": "display_data", "metadata": {}, "data": {mimetype: value}}


def stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def total_chars(nb):
    return sum(output_chars(o) for c in nb.cells for o in c.get("outputs", []))


def test_a_large_html_display_keeps_only_its_plain_text():
    """6 MB of HTML cost the coordinator 68 s and ~900 MB (it is cleaned, slowly)."""
    html = display("text/html", "<b>x</b>" * 800_000)
    html["data"]["text/plain"] = "<IPython.core.display.HTML object>"
    nb = bound_notebook(notebook(html))
    (out,) = nb.cells[0].outputs
    assert out.data == {"text/plain": "<IPython.core.display.HTML object>"}


def test_rich_text_is_bounded_per_notebook_too():
    part = display("text/html", "<i>y</i>" * 20_000)  # 160 KB each, under the per-output bound
    nb = bound_notebook(notebook(*[part] * 20))
    rich = sum(len(o.data.get("text/html", "")) for o in nb.cells[0].outputs)
    assert rich <= output_bounds.MAX_RICH_NOTEBOOK_CHARS


def test_a_huge_text_output_is_cut_and_says_so():
    """100 MB of text made a 105 MB feedback page."""
    nb = bound_notebook(notebook(stream("x" * 30_000_000)))
    assert total_chars(nb) <= output_bounds.MAX_CELL_CHARS + 100
    assert "cut by the grader" in nb.cells[0].outputs[0].text


def test_many_tiny_outputs_are_few_and_prints_are_merged():
    """100,000 tiny outputs took 52 s; a loop's prints stay one output."""
    nb = notebook(*[display("text/plain", "1")] * 20_000)
    t0 = time.perf_counter()
    bound_notebook(nb)
    assert time.perf_counter() - t0 < 5
    outputs = nb.cells[0].outputs
    assert len(outputs) == output_bounds.MAX_OUTPUTS + 1
    assert "19900 output(s)" in outputs[-1].text
    nb = bound_notebook(notebook(*[stream(f"step {i}\n") for i in range(5000)]))
    assert len(nb.cells[0].outputs) == 1 and nb.cells[0].outputs[0].text.count("step") == 5000


def test_every_notebook_is_bounded_across_its_cells():
    nb = notebook(cells=40)
    for cell in nb.cells:
        cell.outputs = [nbformat.from_dict(stream("y" * 1_500_000))]
    bound_notebook(nb)
    assert total_chars(nb) <= output_bounds.MAX_NOTEBOOK_CHARS + 40 * 200


def test_an_error_is_always_shown_if_shortly():
    error = {
        "output_type": "error",
        "ename": "ValueError",
        "evalue": "v" * 10_000,
        "traceback": ["line " * 2000] * 5000,
    }
    nb = bound_notebook(notebook(stream("z" * 3_000_000), error))
    kinds = [o.output_type for o in nb.cells[0].outputs]
    assert "error" in kinds
    assert total_chars(nb) <= output_bounds.MAX_CELL_CHARS + 10_000


def _message(i, data):
    return {
        "msg_type": "display_data",
        "header": {"msg_type": "display_data", "msg_id": f"m{i}"},
        "parent_header": {"msg_id": "cell"},
        "content": {"data": data, "metadata": {}},
    }


def test_the_worker_keeps_a_bounded_part_while_outputs_arrive():
    client = BoundedClient(notebook())
    client.reset_execution_trackers()  # as nbclient does before it runs a notebook
    client.clear_before_next_output = False  # ... and before each cell
    outs = []
    for i in range(20_000):  # the first 1000 are built by nbclient (~0.5 ms each)
        client.output(outs, _message(i, {"text/plain": str(i)}), None, 0)
    assert len(outs) == BoundedClient.LIVE_OUTPUTS
    assert client.left_out[0][0] == 20_000 - BoundedClient.LIVE_OUTPUTS
    kept = output_bounds.bound_cell(outs, output_bounds.Budget(), client.left_out[0])
    assert "19900 output(s)" in kept[-1].text


@pytest.mark.slow  # a grading intake run on a scratch course
def test_a_notebook_of_too_many_cells_is_refused_alone(tmp_path):
    """100,000 markdown cells took the grader 163 s."""
    cell = {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "x"}
    path = tmp_path / "01_building_blocks.ipynb"
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell] * 100_000}
    path.write_text(json.dumps(nb))
    with pytest.raises(InvalidNotebook, match="100000 cells, more than the 2000"):
        read_submission(str(path))


class FakeIPython:
    """What output_cap wraps: the display publisher, the display hook, the events."""

    def __init__(self):
        self.shown = []
        self.display_pub = SimpleNamespace(publish=lambda data, **kw: self.shown.append(data))
        self.displayhook = SimpleNamespace(
            write_format_data=lambda data, md=None: self.shown.append(data)
        )


def test_the_kernel_cap_counts_displays_and_their_size():
    ip, printed = FakeIPython(), []
    cap = CellOutputCap(10_000)
    cap.wrap(SimpleNamespace(write=lambda text: printed.append(text) or len(text)))
    cap.wrap_display(ip.display_pub, "publish")
    cap.wrap_display(ip.displayhook, "write_format_data")
    for _ in range(1000):
        ip.display_pub.publish(data={"text/plain": "1"})
    assert len(ip.shown) == MAX_DISPLAYS
    assert len(printed) == 1 and "truncated" in printed[0]  # said once
    cap.reset()
    ip.shown.clear()
    ip.displayhook.write_format_data({"text/html": "x" * 20_000})  # larger than the cap
    ip.display_pub.publish(data={"text/html": "y" * 5_000})
    assert ip.shown == []


def test_bounding_again_keeps_what_the_first_bound_said_and_the_error():
    """The worker bounds a cell, the coordinator bounds it again: the note of what was
    left out survives, and so does the error that ended the cell (its time limit)."""
    timeout = {"output_type": "error", "ename": "CellTimeoutError", "evalue": "", "traceback": []}
    nb = bound_notebook(notebook(*[display("text/plain", "1")] * 300, timeout))
    again = bound_notebook(nbformat.from_dict(json.loads(nbformat.writes(nb))))
    outputs = again.cells[0].outputs
    assert [o.output_type for o in outputs].count("error") == 1
    assert "200 output(s)" in outputs[-1].text and len(outputs) == output_bounds.MAX_OUTPUTS + 2
