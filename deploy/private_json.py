"""Root's small JSON state files in hub/ (LTI launches, the grades ledger): 0600, atomic."""

import json
import os
import tempfile


def read_json(path):
    """The JSON in ``path``; {} if there is none yet."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def write_private_json(path, data):
    """``data`` as JSON in ``path``, mode 0600, never half-written."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)  # mkstemp made it 0600
