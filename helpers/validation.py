"""Argument checks shared by the data generators and the course's functions.

Every check raises ValueError with a message that names the argument, what was
expected and what arrived, so a wrong call fails at the call site instead of
deep inside numpy with a broadcasting error.

Shape convention of the whole course (time-major):
    inputs  x       (T, N, D)   T time steps, N sequences in the batch, D features
    hidden  h       (T, N, H)
    logits, probs   (T, N, V)   V = vocabulary size
    labels          (T, N)      integer class indices in 0..V-1
"""

import numbers

import numpy as np


def require_int(value, name, minimum=None):
    """Return ``value`` as an int, or raise ValueError if it is not a whole number >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def require_array(a, name, ndim=None, shape=None):
    """Check that ``a`` is a numpy array with ``ndim`` axes and, where given, ``shape``.

    ``shape`` may contain None for axes of any length.
    """
    if not isinstance(a, np.ndarray):
        raise ValueError(f"{name} must be a numpy array, got {type(a).__name__}")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axes, got shape {a.shape}")
    if shape is not None:
        wrong_axis = a.ndim != len(shape) or any(
            s is not None and s != d for s, d in zip(shape, a.shape, strict=True)
        )
        if wrong_axis:
            want = "(" + ", ".join("?" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {a.shape}")
    return a


def require_sequence_batch(x, name="x", features=None):
    """Check a time-major batch ``x`` of shape (T, N, D) with T, N >= 1 and D == features."""
    require_array(x, name, ndim=3)
    T, N, D = x.shape
    if T < 1 or N < 1:
        raise ValueError(f"{name} must hold at least one time step and one sequence, got {x.shape}")
    if features is not None and D != features:
        raise ValueError(
            f"{name} must have {features} features on its last axis, got shape {x.shape}"
        )
    return x


def require_labels(labels, probs):
    """Check integer ``labels`` (T, N) against probabilities or logits ``probs`` (T, N, V)."""
    require_array(probs, "probs", ndim=3)
    require_array(labels, "labels", shape=probs.shape[:2])
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integer class indices, got dtype {labels.dtype}")
    V = probs.shape[2]
    if labels.size and (labels.min() < 0 or labels.max() >= V):
        raise ValueError(
            f"labels must lie in 0..{V - 1}, got values in {labels.min()}..{labels.max()}"
        )
    return labels


def require_activation(activation):
    """Check the name of a recurrent activation: 'tanh' or 'relu'."""
    if activation not in ("tanh", "relu"):
        raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")
    return activation


def require_net(net):
    """Check that ``net`` is a non-empty list of layers (objects with forward and backward)."""
    if not isinstance(net, (list, tuple)) or len(net) == 0:
        raise ValueError(f"net must be a non-empty list of layers, got {net!r}")
    for i, layer in enumerate(net):
        if not (hasattr(layer, "forward") and hasattr(layer, "backward")):
            raise ValueError(f"net[{i}] ({type(layer).__name__}) has no forward/backward methods")
    return net
