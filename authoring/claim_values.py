"""The stored values of the course text's claims (authoring/claims/values.json): read by the
build to render the text, written by ``python -m authoring.claims`` (computed claims) and
the benchmarks (measured claims). A leaf: the claims package computes, this only stores."""

import json
import os

from . import generated

VALUES_FILE = os.path.join(os.path.dirname(__file__), "claims", "values.json")


def load(path=VALUES_FILE):
    """{"claims": {...}, "measured": {...}} as stored."""
    if not os.path.exists(path):
        return {"claims": {}, "measured": {}}
    with open(path) as f:
        return json.load(f)


def save(data, path=VALUES_FILE):
    data = {
        generated.JSON_KEY: generated.CLAIM_VALUES,
        "claims": dict(sorted(data["claims"].items())),
        "measured": dict(sorted(data["measured"].items())),
    }
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


def store_claims(values, path=VALUES_FILE):
    data = load(path)
    data["claims"].update(values)
    save(data, path)


def record_measured(path=VALUES_FILE, **values):
    """Store figures a benchmark measured (rounded), for the text to quote."""
    data = load(path)
    data["measured"].update({k: round(float(v), 4) for k, v in values.items()})
    save(data, path)
