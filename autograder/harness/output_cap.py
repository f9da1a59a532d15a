"""Cap what one cell can print or display, inside a grading kernel.

The grading sandbox installs this from the kernel's IPython startup file, so a runaway
loop cannot flood the grader with output: text (stdout, stderr) and displays (display(),
a cell's result) count against one budget of characters per cell, and displays also
against a number per cell. (Student code could undo it; the grading worker bounds every
cell's outputs again, outside the kernel: autograder/untrusted/output_bounds.py.)
"""

import sys

TRUNCATED = "\n... output truncated by the grader ...\n"


MAX_DISPLAYS = 100  # per cell, as output_bounds.MAX_OUTPUTS


def _size(data):
    return sum(len(v) if isinstance(v, str) else 100 for v in (data or {}).values())


class CellOutputCap:
    """Counts what the current cell printed and displayed; past ``limit`` characters (or
    MAX_DISPLAYS displays), drops the rest."""

    def __init__(self, limit):
        self.limit = limit
        self.written = 0
        self.displays = 0
        self.say = None  # stdout's own write: says that the cell's output was cut

    def reset(self, *_args):
        self.written = 0
        self.displays = 0

    def wrap_display(self, owner, name):
        """Cap ``owner.<name>(data, ...)``: the display publisher's publish, or the display
        hook's write_format_data (a cell's result)."""
        send = getattr(owner, name)

        def capped(data, *args, **kwargs):
            size = _size(data)
            self.displays += 1
            if self.displays > MAX_DISPLAYS or self.written + size > self.limit:
                if self.written <= self.limit:
                    self.written = self.limit + 1
                    if self.say is not None:
                        self.say(TRUNCATED)  # said once, on the cell's stdout
                return None
            self.written += size
            return send(data, *args, **kwargs)

        setattr(owner, name, capped)

    def wrap(self, stream):
        write = stream.write
        self.say = self.say or write

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
    """Cap stdout, stderr and displays at ``limit`` characters per cell in this IPython
    kernel (displays also at MAX_DISPLAYS per cell)."""
    ipython = ipython or get_ipython()  # noqa: F821 (an IPython builtin)
    cap = CellOutputCap(limit)
    cap.wrap(sys.stdout)
    cap.wrap(sys.stderr)
    cap.wrap_display(ipython.display_pub, "publish")
    cap.wrap_display(ipython.displayhook, "write_format_data")
    ipython.events.register("pre_run_cell", cap.reset)
    return cap
