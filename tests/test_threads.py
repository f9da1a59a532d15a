"""Notebook 5 gives the same seeded result however the kernel's BLAS threads are set.

The course limits BLAS to one thread itself (helpers, on import, with threadpoolctl), so
a kernel started by `make lab`, a plain `jupyter lab`, conda or a JupyterHub trains the
same network to the same figures. Only correctness is asserted here; the benchmark
(`python -m bench.notebook`, part of `make bench`) prints the times.
"""

import pytest

from bench.notebook import WAYS, run_notebook_5

pytestmark = pytest.mark.slow


def test_notebook_5_trains_to_the_same_result_with_and_without_thread_variables():
    _, unset = run_notebook_5(WAYS["threads_unset"])
    _, one = run_notebook_5(WAYS["threads_1"])
    assert unset == one
    assert unset.startswith("steps: ")


def test_the_course_limits_blas_threads_on_import():
    from threadpoolctl import threadpool_info

    import helpers

    assert helpers.BLAS_LIMIT is not None
    assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")
