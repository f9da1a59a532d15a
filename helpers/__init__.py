"""Helpers for the course "Recurrent neural networks from scratch".

What students import: data generators, argument checks, a numeric gradient checker,
update rules, plotting, progress bars, the visible tests and the loader that carries
your own code from one notebook to the next. It holds no exercise solution.

Shape convention (time-major), used everywhere in the course:
    x (T, N, D), h (T, N, H), logits/probs (T, N, V), labels (T, N) int.
"""

import numpy as np

__all__ = ["add_to_class", "make_rng"]


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


def make_rng(seed=None):
    """A numpy random Generator; the same ``seed`` gives the same numbers everywhere.

    The course passes Generators around (``rng=``) instead of seeding the global
    ``np.random`` state, so two experiments never disturb each other's randomness.
    """
    return np.random.default_rng(seed)
