"""Carry your own code from one notebook to the next.

Notebook 3 needs the BasicRNNCell you wrote in notebook 2, which needs the Layer and
LinearLayer from notebook 1, and so on. Instead of copying code around, each notebook
starts by loading the previous one:

    BasicRNNCell, LinearLayer = import_from_notebook("02_rnn_forward.ipynb",
                                                     "BasicRNNCell", "LinearLayer")

This reads the saved .ipynb file next to the current notebook and runs only its
answer cells (your code) and the cells tagged "export" (the given imports and
definitions), never its demos or tests. Save the earlier notebook (Ctrl+S) after
changing it. The earlier notebook's own first cell loads the one before it, so the
whole chain comes along; within one call every notebook is run once, so classes
stay the same objects all the way down.

When grading, the earlier notebook is the one the grader has just run. An answer cell
that did not finish there (it hung until its time limit, or the kernel died while it
ran) is listed in that notebook's metadata and is not run again here: what it should
have defined gets a stand-in that says why, so one hang costs its own exercise only.
"""

import contextlib
import io
import json
import linecache
import os
import types

# The tag of the given cells (imports, setup) that later notebooks load with the answers.
# Its name is in the notebooks students already have, so it stays "export".
CARRIED_TAG = "export"

_ACTIVE = None  # notebooks loaded during the current top-level load_notebook call


class NotebookLoadError(RuntimeError):
    pass


class LoadedNotebook(types.ModuleType):
    """The namespace of a loaded notebook; ``errors`` lists the cells that failed."""

    def __init__(self, name, path):
        super().__init__(name)
        self.__file__ = path
        self.errors = []


def _unavailable(nb):
    """{grade id: reason} of the cells the grader found unfinished (see above)."""
    meta = nb.get("metadata", {}).get("rnn_grading", {})
    found = meta.get("unavailable", {}) if isinstance(meta, dict) else {}
    return found if isinstance(found, dict) else {}


def _carried_cells(nb):
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {})
        nbg = meta.get("nbgrader", {})
        if nbg.get("solution") or CARRIED_TAG in meta.get("tags", []):
            source = cell.get("source", "")
            yield (
                i,
                nbg.get("grade_id", f"cell {i}"),
                "".join(source) if isinstance(source, list) else source,
            )


def _transform(source):
    """IPython syntax (magics, !shell) to plain Python, as a notebook would run it."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source
    return TransformerManager().transform_cell(source)


def _execute(path):
    name = os.path.splitext(os.path.basename(path))[0]
    try:
        with open(path, encoding="utf-8") as f:
            nb = json.load(f)
    except (OSError, ValueError) as e:
        raise NotebookLoadError(f"cannot read {path}: {e}") from e
    module = LoadedNotebook(f"notebook_{name}", path)
    unavailable = _unavailable(nb)
    for index, grade_id, source in _carried_cells(nb):
        if grade_id in unavailable:
            module.errors.append((index, grade_id, f"not run again: {unavailable[grade_id]}"))
            continue
        filename = f"<{name}.ipynb, cell {grade_id}>"
        code = _transform(source)
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        try:
            # Output of the earlier notebook's cells is not wanted here.
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, filename, "exec"), module.__dict__)
        except Exception as e:
            module.errors.append((index, grade_id, f"{type(e).__name__}: {e}"))
    return module


def load_notebook(filename, directory=None):
    """Run the answer and export cells of ``filename`` and return their namespace.

    ``directory`` defaults to the current directory (where Jupyter runs a notebook).
    """
    global _ACTIVE
    path = os.path.abspath(os.path.join(directory or os.getcwd(), filename))
    top = _ACTIVE is None
    if top:
        _ACTIVE = {}
    try:
        if path not in _ACTIVE:
            _ACTIVE[path] = None  # marks "loading" to stop a notebook loading itself
            _ACTIVE[path] = _execute(path)
        elif _ACTIVE[path] is None:
            raise NotebookLoadError(f"{filename} loads itself")
        return _ACTIVE[path]
    finally:
        if top:
            _ACTIVE = None


def _stand_in(name, filename, reason):
    message = (
        f"{name} from {filename} is not available ({reason}). Fix {filename}, "
        f"save it, and re-run this notebook from the top."
    )

    def unavailable(*args, **kwargs):
        raise NotImplementedError(message)

    if name[:1].isupper():  # a class: subclassing and attaching methods still work
        return type(name, (), {"__init__": unavailable, "__doc__": message, "param_names": ()})
    unavailable.__name__ = name
    unavailable.__doc__ = message
    return unavailable


def import_from_notebook(filename, *names, directory=None):
    """Load ``filename`` and return the objects called ``names`` from it, in order.

    If the notebook cannot be read or a name is missing, a stand-in takes its place
    (it raises NotImplementedError saying why when used) and a warning is printed,
    so this notebook still runs and tells you where to look.
    """
    try:
        module = load_notebook(filename, directory)
        errors = module.errors
    except NotebookLoadError as e:
        module, errors = None, [(None, None, str(e))]
    for _, grade_id, error in errors:
        where = f"cell '{grade_id}' of {filename}" if grade_id else filename
        print(f"Warning: {where} failed: {error}")
    found = []
    for name in names:
        if module is not None and hasattr(module, name):
            found.append(getattr(module, name))
        else:
            reason = (
                "the notebook could not be read"
                if module is None
                else "it is not defined there"
                + (f"; {errors[0][1]!r} failed: {errors[0][2]}" if errors[:1] else "")
            )
            print(f"Warning: {name} is missing from {filename}: using a stand-in")
            found.append(_stand_in(name, filename, reason))
    return found[0] if len(found) == 1 else tuple(found)
