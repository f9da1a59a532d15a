"""What a cell of a submitted or released notebook says, read without trusting its shape:
its nbgrader grade id and its source (normalize.py and releases.py read cells alike)."""


def grade_id(cell):
    """The cell's nbgrader grade id, or None (no nbgrader metadata, or not a dict)."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


def source_of(cell):
    """The cell's source as one string (nbformat allows a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)
