"""axe-core over a page in Chromium: the WCAG 2.2 A and AA violations, less listed upstream ones.

axe-core comes with the PyPI package axe-playwright-python (its bundled axe.min.js is
injected into the page; nothing is downloaded). A violation the project cannot fix, because
it is in JupyterLab's or nbconvert's own markup or theme, is listed by the test that meets it
as an ``Upstream`` entry: the rule, a pattern its element must match, and why it stays.
Every other violation fails the test, with the element and axe's message.
"""

import re
from collections import Counter
from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@dataclass(frozen=True)
class Upstream:
    """A violation that belongs to someone else's code: ``rule`` on an element whose HTML
    or axe message matches ``pattern`` (a regular expression)."""

    rule: str
    pattern: str
    reason: str

    def covers(self, rule, node):
        text = node["html"] + " " + " ".join(c["message"] for c in node["any"] + node["all"])
        return rule == self.rule and re.search(self.pattern, text) is not None


def violations(page, upstream=(), context=None):
    """Run axe on ``page`` (optionally only inside ``context``, a CSS selector); return the
    violations no ``upstream`` entry covers, one line each (rule, element, message)."""
    results = Axe().run(
        page, context=context, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}}
    )
    left, known = [], Counter()
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            covering = [u for u in upstream if u.covers(violation["id"], node)]
            if covering:
                known[(violation["id"], covering[0].reason)] += 1
                continue
            messages = "; ".join(c["message"] for c in node["any"] + node["all"] + node["none"])
            left.append(
                f"{violation['id']} ({violation['impact']}): {node['target']} "
                f"{node['html'][:160]} -- {messages[:300]}"
            )
    for (rule, reason), n in known.items():
        print(f"axe, left to upstream: {rule} x{n}: {reason}")
    return left
