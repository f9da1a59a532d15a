"""A small, safe encoding for test inputs and outputs: JSON with numpy arrays inside.

Arrays travel as base64 .npy bytes written and read with allow_pickle=False, so
decoding never executes code: it is safe to decode what untrusted student code
produced. Supported values: None, bool, int, float, str, list/tuple (decoded as
list), dict with str keys, and numpy arrays of numeric, bool or str dtype.
"""

import base64
import io
import json

import numpy as np

MAX_BYTES = 64 * 1024 * 1024  # refuse absurdly large payloads instead of exhausting memory


class EncodingError(ValueError):
    pass


# Scalars and how they travel: plain JSON types.
_SCALARS = (
    (type(None), lambda v: v),
    ((bool, str), lambda v: v),
    (np.bool_, bool),
    ((int, np.integer), int),
    ((float, np.floating), float),
)


def _array(obj):
    if obj.dtype.kind not in "biufU":
        raise EncodingError(f"arrays of dtype {obj.dtype} cannot be sent")
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(obj), allow_pickle=False)
    return {"__ndarray__": base64.b64encode(buf.getvalue()).decode("ascii")}


def _dict(obj, depth):
    bad = [k for k in obj if not isinstance(k, str)]
    if bad:
        raise EncodingError(f"dict keys must be strings, got {bad[0]!r}")
    return {k: to_jsonable(v, depth + 1) for k, v in obj.items()}


def to_jsonable(obj, _depth=0):
    """Convert ``obj`` to plain JSON types, replacing arrays by {"__ndarray__": base64}."""
    if _depth > 50:
        raise EncodingError("value is nested too deeply")
    for types, convert in _SCALARS:
        if isinstance(obj, types):
            return convert(obj)
    if isinstance(obj, np.ndarray):
        return _array(obj)
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v, _depth + 1) for v in obj]
    if isinstance(obj, dict):
        return _dict(obj, _depth)
    raise EncodingError(f"values of type {type(obj).__name__} cannot be sent")


def from_jsonable(obj):
    """Inverse of ``to_jsonable``."""
    if isinstance(obj, list):
        return [from_jsonable(v) for v in obj]
    if isinstance(obj, dict):
        if set(obj) == {"__ndarray__"}:
            raw = base64.b64decode(obj["__ndarray__"], validate=True)
            return np.load(io.BytesIO(raw), allow_pickle=False)
        return {k: from_jsonable(v) for k, v in obj.items()}
    return obj


def encode(obj):
    """Encode ``obj`` to UTF-8 bytes."""
    data = json.dumps(to_jsonable(obj)).encode("utf-8")
    if len(data) > MAX_BYTES:
        raise EncodingError(f"payload of {len(data)} bytes exceeds the {MAX_BYTES} byte limit")
    return data


def decode(data):
    """Decode bytes produced by ``encode``."""
    if len(data) > MAX_BYTES:
        raise EncodingError(f"payload of {len(data)} bytes exceeds the {MAX_BYTES} byte limit")
    return from_jsonable(json.loads(data.decode("utf-8")))
