"""nbgrader preprocessors that keep hidden tests out of the feedback students receive."""

from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests


class HideHiddenTests(ClearHiddenTests):
    """Remove the hidden-test region from grade cells and shorten their tracebacks.

    nbgrader's feedback shows every cell's source and outputs, hidden tests included
    (jupyter/nbgrader#917). The region between the markers is removed; an error in a
    test cell is reduced to its last line ("AssertionError: <what is wrong>"), because
    a full traceback quotes the lines of the hidden test it went through.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [
                        f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                    ]
        return cell, resources
