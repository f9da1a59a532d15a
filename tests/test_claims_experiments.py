"""The experiments the course text quotes but the notebooks do not run, recomputed.

One test per claim, so pytest-xdist can spread them; the slowest is the 2020 original's
70,000 single-sequence steps.
"""

import pytest

from authoring import claims
from authoring.claims import experiments

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", sorted(experiments.CLAIMS))
def test_experiment_claim_recomputed(name):
    fresh = {name: float(experiments.CLAIMS[name]())}
    stored = claims.load()["claims"]
    assert claims.drifted(stored, fresh) == []
    assert claims.broken(dict(stored, **fresh)) == []
