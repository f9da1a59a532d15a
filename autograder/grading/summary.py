"""The grading summary: score histogram and per-exercise pass rates, as text and a picture."""

import json
import os

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from helpers.checks import REGISTRY  # noqa: E402


def _exercises(results):
    order = sorted(REGISTRY.values(), key=lambda c: (c.notebook, c.id))
    return [
        c
        for c in order
        if any(c.id in r["notebooks"].get(c.notebook, {}).get("verdicts", {}) for r in results)
    ]


def pass_rates(results):
    rates = {}
    for check in _exercises(results):
        passed = [
            r["notebooks"][check.notebook]["verdicts"][check.id]["passed"]
            for r in results
            if check.notebook in r["notebooks"]
        ]
        rates[check.id] = (sum(passed), len(passed))
    return rates


def max_points(results):
    for r in results:
        pts = [v.get("max_points") for e in r["notebooks"].values() for v in e["verdicts"].values()]
        if pts and None not in pts:
            return sum(pts)
    return None


def _score_row(r, total_max):
    notes = []
    if r.get("error"):
        notes.append(f"grading failed: {r['error']}")
    for nb, e in r["notebooks"].items():
        if e["status"] != "graded":
            notes.append(f"{nb}: {e['status']}")
        notes += [f"{nb}: {n}" for n in e["notes"]]
    if r.get("extra_files"):
        notes.append("ignored files: " + ", ".join(r["extra_files"][:5]))
    return (
        f"| {r['student']} | {r.get('total', 0):g} / {total_max or '?'} | "
        + "; ".join(notes).replace("|", "/")
        + " |"
    )


def text_summary(results, problems, seconds, workers):
    total_max = max_points(results)
    lines = [
        "# Grading summary",
        "",
        f"{len(results)} submissions graded in {seconds:.1f} s with {workers} worker(s) "
        f"({seconds / max(len(results), 1):.1f} s per submission).",
        "",
    ]
    lines += ["## Scores", "", "| student | score | notes |", "|---|---|---|"]
    for r in sorted(results, key=lambda r: r["student"]):
        lines.append(_score_row(r, total_max))
    for student, why in sorted(problems.items()):
        lines.append(f"| {student} | not graded | {why} |")
    lines += ["", "## Score histogram", ""]
    totals = [r.get("total", 0) for r in results]
    if totals and total_max:
        bins = 10
        counts = [0] * bins
        for t in totals:
            counts[min(int(bins * t / total_max), bins - 1)] += 1
        for i, c in enumerate(counts):
            lo, hi = total_max * i / bins, total_max * (i + 1) / bins
            lines.append(f"`{lo:5.1f}-{hi:5.1f}` {'#' * c} {c}")
    lines += [
        "",
        "## Pass rate per exercise",
        "",
        "| notebook | exercise | passed |",
        "|---|---|---|",
    ]
    for check_id, (k, n) in pass_rates(results).items():
        c = REGISTRY[check_id]
        lines.append(f"| {c.notebook} | {c.title} | {k}/{n} ({100 * k / max(n, 1):.0f} %) |")
    return "\n".join(lines) + "\n"


def figure(results):
    fig = Figure(figsize=(11, 4.2))
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    totals = [r.get("total", 0) for r in results]
    top = max_points(results) or max(totals + [1])
    ax1.hist(totals, bins=10, range=(0, top), color="#3b6ea8", edgecolor="white")
    ax1.set_xlabel("score")
    ax1.set_ylabel("students")
    ax1.set_title(f"Scores ({len(results)} submissions, max {top:g})")
    rates = pass_rates(results)
    names = [REGISTRY[c].title for c in rates]
    values = [100 * k / max(n, 1) for k, n in rates.values()]
    ax2.barh(range(len(values)), values, color="#2e8b57")
    ax2.set_yticks(range(len(values)), names, fontsize=8)
    ax2.invert_yaxis()
    ax2.set_xlim(0, 100)
    ax2.set_xlabel("% of submissions passing")
    ax2.set_title("Pass rate per exercise")
    fig.tight_layout()
    return fig


def release_changes_text(changes):
    """The instructor's own changes to the release, listed once (not as tampering)."""
    if not changes:
        return ""
    lines = [
        "",
        "## Changes to the released notebooks",
        "",
        "Some submissions were made on an earlier version of the release. These read-only",
        "or test cells differ from it; the current version was used for everyone:",
        "",
    ]
    lines += [f"- {nb}: {', '.join(cells)}" for nb, cells in sorted(changes.items())]
    return "\n".join(lines) + "\n"


def write(out_dir, results, problems, seconds, workers, release_changes=None):
    os.makedirs(out_dir, exist_ok=True)
    text = text_summary(results, problems, seconds, workers) + release_changes_text(release_changes)
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(
            {"seconds": seconds, "workers": workers, "results": results, "not_graded": problems},
            f,
            indent=1,
        )
    figure(results).savefig(os.path.join(out_dir, "summary.png"), dpi=90)
    return text
