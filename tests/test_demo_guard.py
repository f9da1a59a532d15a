"""A cell after a failing test says "fix the test above first" (helpers/checks/demo_guard).

Issue 16: a demo cell complained about shapes after a test had already failed above it,
so the student looked for the bug in the demo. One notebook in a real kernel, as a
student runs it: a softmax that fails its test, a demo that then hits a shape error,
an unrelated error, and the same demo once the test passes.
"""

import nbclient
import nbformat
import pytest

from course.paths import ROOT, tool_env

pytestmark = pytest.mark.slow  # one kernel: a few seconds

CELLS = [
    # the bug: no keepdims, so (T, N, V) / (T, N) cannot broadcast
    "import numpy as np\n"
    "from helpers.checks import check_softmax\n"
    "def softmax(z):\n"
    "    e = np.exp(z - z.max(axis=-1, keepdims=True))\n"
    "    return e / e.sum(axis=-1)",
    "assert check_softmax(softmax)",
    "probs = softmax(np.ones((2, 3, 4)))",  # the demo
    "np.ones(3) @ np.ones(4)",  # does not use softmax
    "def softmax(z):\n"
    "    e = np.exp(z - z.max(axis=-1, keepdims=True))\n"
    "    return e / e.sum(axis=-1, keepdims=True)\n"
    "assert check_softmax(softmax)",
    "probs = softmax(np.ones((2, 3, 4)))\nprobs @ np.ones(5)",  # now its own error
]


@pytest.fixture(scope="module")
def errors():
    """{cell index: the error output's traceback text} after running CELLS."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": ROOT}},
    )
    client.execute(env=tool_env())
    return {
        i: "\n".join(o["traceback"])
        for i, cell in enumerate(nb.cells)
        for o in cell.outputs
        if o["output_type"] == "error"
    }


def test_a_demo_after_a_failing_test_points_at_the_test(errors):
    text = errors[2]
    assert text.startswith("Fix the test above first"), text
    assert "your softmax, whose test check_softmax failed" in text
    assert "softmax, test '" in text  # the first line of the test's own message
    assert "ValueError: operands could not be broadcast" in text  # the demo's error, in short
    assert "Traceback" not in text and "----> " not in text


def test_the_test_itself_and_other_errors_show_their_traceback(errors):
    assert "Fix the test above first" not in errors[1]  # the test's own failure
    assert "CheckFailed" in errors[1] or "AssertionError" in errors[1]
    assert "Fix the test above first" not in errors[3]
    assert "matmul" in errors[3]
    assert 4 not in errors  # the fixed softmax passes its test


def test_once_the_test_passes_errors_are_the_cells_own(errors):
    assert "Fix the test above first" not in errors[5]
    assert "matmul" in errors[5]
