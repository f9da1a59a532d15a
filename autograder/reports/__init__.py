"""Reports an instructor acts on: summary.md (markdown.py), summary.png (figure.py),
computed from the pipeline's per-student result dicts (stats.py)."""
