"""Cap the text one cell can print, inside a grading kernel.

The grading sandbox installs this from the kernel's IPython startup file, so a runaway
loop cannot flood the grader with output. (Student code could undo it, but would only
make its own grading fail: nbgrader's LimitOutput still applies afterwards.)
"""

import sys

TRUNCATED = "\n... output truncated by the grader ...\n"


class CellOutputCap:
    """Counts what the current cell printed; past ``limit`` characters, drops the rest."""

    def __init__(self, limit):
        self.limit = limit
        self.written = 0

    def reset(self, *_args):
        self.written = 0

    def wrap(self, stream):
        write = stream.write

        def capped_write(text):
            if self.written > self.limit:
                return len(text)
            self.written += len(text)
            if self.written > self.limit:
                keep = max(0, self.limit - (self.written - len(text)))
                return write(text[:keep] + TRUNCATED)
            return write(text)

        stream.write = capped_write


def install(limit, ipython=None):
    """Cap stdout and stderr at ``limit`` characters per cell in this IPython kernel."""
    ipython = ipython or get_ipython()  # noqa: F821 (an IPython builtin)
    cap = CellOutputCap(limit)
    cap.wrap(sys.stdout)
    cap.wrap(sys.stderr)
    ipython.events.register("pre_run_cell", cap.reset)
    return cap
