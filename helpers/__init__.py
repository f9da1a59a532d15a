"""Helpers for the course "Recurrent neural networks from scratch".

What students import: data generators, argument checks, a numeric gradient checker,
update rules, plotting, progress bars, the visible tests and the loader that carries
your own code from one notebook to the next. It holds no exercise solution.

Shape convention (time-major), used everywhere in the course:
    x (T, N, D), h (T, N, H), logits/probs (T, N, V), labels (T, N) int.
"""

import os

import numpy as np  # noqa: F401  (loads BLAS, so that its thread pool can be limited)
from threadpoolctl import threadpool_limits

__all__ = ["add_to_class"]

# The course's matrices are small (50 x 50 at most): on them, BLAS threads gain little
# and, on a busy machine, cost far more in synchronisation (a training step measured 35 ms
# with every core against 3 ms with one); and the order of floating-point sums would
# depend on the thread count. One thread, however the kernel was started, so every
# notebook runs fast and a fixed seed gives the same numbers whatever the machine's
# thread settings.
# RNN_COURSE_BLAS_THREADS=all lifts the limit (the benchmarks measure what it saves).
BLAS_THREADS = os.environ.get("RNN_COURSE_BLAS_THREADS", "1")
BLAS_LIMIT = None if BLAS_THREADS == "all" else threadpool_limits(limits=int(BLAS_THREADS))


def add_to_class(cls):
    """Decorator that attaches the decorated function to ``cls`` as a method.

    Lets a notebook build a class one method per cell (as d2l.ai does):

        @add_to_class(LinearLayer)
        def forward(self, x):
            ...
    """

    def attach(fn):
        setattr(cls, fn.__name__, fn)
        return fn

    return attach
