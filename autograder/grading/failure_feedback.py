"""A feedback page for each notebook nbgrader could not make one for (not submitted,
unreadable, or its grading failed), so every student has a page per notebook.

(Moved unchanged from run.py; the feedback pages are being redesigned for issue 10.)
"""

import html
import os


def write(course, result):
    for nb, entry in result["notebooks"].items():
        path = os.path.join(course.feedback(result["student"]), nb + ".html")
        if os.path.exists(path):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        rows = "".join(
            f"<tr><td>{html.escape(c)}</td><td>{'passed' if v['passed'] else 'failed'}</td>"
            f"<td>{v.get('points', 0):g} / {v.get('max_points', 0):g}</td>"
            f"<td>{html.escape(v['message'])}</td></tr>"
            for c, v in entry["verdicts"].items()
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in entry["notes"])
        with open(path, "w") as f:
            f.write(
                f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{nb}</title>"
                f"</head><body><h1>{html.escape(nb)}</h1><p><b>{html.escape(entry['status'])}"
                f"</b></p><ul>{notes}</ul><table border='1'><tr><th>exercise</th>"
                f"<th>result</th><th>points</th><th>message</th></tr>{rows}</table>"
                f"</body></html>"
            )
