"""Grading kernels: the documented caps without root (issue 20, case 10), private sockets.

On the hub the grader account grades, unprivileged: no cgroup, no tmpfs of its own, no
uid per worker. The sandbox's command line then carries the two caps itself: a /tmp of
``Limits.tmp_bytes`` and the process limit set inside the sandbox's user namespace. The
same hostile notebook graded on a real hub: tests/hub/test_hub_e2e.py (step 8).
"""

import pytest

from autograder.grading import sandbox
from autograder.grading.kernel import LAUNCH, GradingKernel
from autograder.grading.sandbox import Limits


@pytest.fixture
def unprivileged(monkeypatch):
    """The command line as the grader account would get it."""
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: "/usr/bin/bwrap")


def command(tmp_path, limits):
    kernel = GradingKernel(str(tmp_path), limits, salt="s", student="carol", uid=None)
    kernel.runtime = str(tmp_path / "k0")
    return kernel.manager().kernel_spec.argv


def test_without_root_tmp_is_a_tmpfs_of_the_documented_size(tmp_path, unprivileged):
    limits = Limits(tmp_bytes=256 * 1024**2)
    args = command(tmp_path, limits)
    i = args.index("/tmp", args.index("--tmpfs"))
    assert args[i - 3 : i] == ["--size", str(limits.tmp_bytes), "--tmpfs"]


def test_without_root_the_process_limit_is_set_inside_the_sandbox(tmp_path, unprivileged):
    limits = Limits(processes=256)
    args = command(tmp_path, limits)
    kernel = args[args.index("--") + 1 :]
    assert kernel[:3] == ["/usr/bin/prlimit", "--nproc=256", "--"]
    assert kernel[3:6] == [sandbox.sys.executable, "-c", LAUNCH]


def test_as_root_the_worker_uid_carries_the_process_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0)
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: "/usr/bin/bwrap")
    kernel = GradingKernel(str(tmp_path), Limits(), salt="s", student="carol", uid=1900000000)
    kernel.runtime = str(tmp_path / "k0")
    args = kernel.manager().kernel_spec.argv
    assert "/usr/bin/prlimit" not in args  # apply_limits sets RLIMIT_NPROC for that uid


def test_grading_kernels_are_reached_only_over_unix_sockets_in_their_runtime(tmp_path):
    """Issue 20, case 6, in grading (as it already was): no network in the sandbox, and the
    kernel's sockets in its own runtime directory (0700, the kernel's uid)."""
    kernel = GradingKernel(str(tmp_path), Limits(), salt="s", student="carol", uid=None)
    km = kernel.manager()
    assert km.transport == "ipc" and km.ip.startswith(kernel.runtime + "/")
    assert "--unshare-net" in km.kernel_spec.argv
