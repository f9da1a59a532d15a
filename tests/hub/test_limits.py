"""deploy/limits.py and its wiring, without a hub (test_hub_e2e.py runs the bombs on one).

Needs root, like every hub test: creating cgroups and changing uid are root's.
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from deploy.layout import PYTHON, Deployment
from deploy.limits import Limits, ServerCgroup, parse_bytes, set_rlimits

REPO_ROOT = Path(__file__).resolve().parents[2]
MEMORY_BOMB = "hog = []\nwhile True:\n    hog.append(b'x' * (8 << 20))"
FORK_COUNT = """
import os, time
n = 0
for _ in range(200):
    try:
        if os.fork() == 0:
            time.sleep(2)
            os._exit(0)
        n += 1
    except OSError:
        break
print(n)
"""


def needs_root():
    if os.geteuid() != 0:
        pytest.fail("needs root (cgroups, uids); RNN_SKIP_HUB=1 skips the hub tests")


def test_sizes_parse_like_jupyterhub():
    assert parse_bytes("2G") == 2 * 2**30
    assert parse_bytes("512M") == 512 * 2**20
    assert parse_bytes("1048576") == 2**20
    with pytest.raises(ValueError):
        parse_bytes("lots")
    with pytest.raises(ValueError):
        Limits(memory=0, cpu=1.0, pids=10)


def test_hub_config_limits_servers_and_culls_idle_ones(tmp_path, monkeypatch):
    dep = Deployment(root=str(tmp_path), auth="trial", mem_limit="1G", cpu_limit=0.5, pids_limit=99)
    dep.idle_timeout = 600
    dep.save()
    os.makedirs(dep.hub_dir)
    Path(dep.password_file).write_text("pw\n")
    monkeypatch.setenv("RNN_COURSE_ROOT", dep.root)
    c = PyFileConfigLoader("jupyterhub_config.py", path=str(REPO_ROOT / "deploy")).load_config()
    assert (c.SandboxedSpawner.mem_limit, c.SandboxedSpawner.cpu_limit) == ("1G", 0.5)
    assert c.SandboxedSpawner.pids_limit == 99
    services = {s["name"]: s for s in c.JupyterHub.services}
    culler = services["idle-culler"]["command"]
    assert culler[:3] == [sys.executable, "-m", "jupyterhub_idle_culler"]
    assert "--timeout=600" in culler
    (role,) = [r for r in c.JupyterHub.load_roles if r["name"] == "idle-culler"]
    assert role["services"] == ["idle-culler"]
    assert set(role["scopes"]) == {
        "list:users",
        "read:users:activity",
        "read:servers",
        "delete:servers",
    }
    # the culler is the venv's package, pinned
    import jupyterhub_idle_culler  # noqa: F401


def test_server_cgroup_holds_a_memory_bomb_and_a_fork_bomb():
    needs_root()
    group = ServerCgroup(f"unit-{os.getpid()}").create(Limits(memory=200 << 20, cpu=1.0, pids=20))
    try:
        bomb = subprocess.run([sys.executable, "-c", MEMORY_BOMB], preexec_fn=group.join)
        forks = subprocess.run(
            [sys.executable, "-c", FORK_COUNT],
            preexec_fn=group.join,
            capture_output=True,
            text=True,
        )
        usage = group.usage()
    finally:
        group.remove()
    assert bomb.returncode == -9  # the OOM killer, in this cgroup
    assert usage["oom_kills"] >= 1 and usage["memory_peak"] <= 200 << 20
    assert int(forks.stdout) < 20 and usage["pids_refused"] > 0
    assert not any(os.path.exists(d) for d in group.dirs.values())


def test_rlimit_fallback_caps_a_students_processes():
    needs_root()

    def as_nobody():
        set_rlimits(Limits(memory=256 << 20, cpu=1.0, pids=20))
        os.setgid(65534)
        os.setuid(65534)

    def run(code):  # Debian's python: nobody may not run the venv's
        return subprocess.run(
            [PYTHON, "-c", code], preexec_fn=as_nobody, cwd="/", capture_output=True, text=True
        )

    forks, bomb = run(FORK_COUNT), run(MEMORY_BOMB)
    assert int(forks.stdout) < 20  # RLIMIT_NPROC: every process of the uid counts
    assert "MemoryError" in bomb.stderr  # RLIMIT_AS: one process's address space


def test_server_cgroup_holds_a_process_to_its_cpu_quota():
    needs_root()
    quota = 0.1  # cores
    group = ServerCgroup(f"unit-cpu-{os.getpid()}").create(Limits(memory=2**30, cpu=quota, pids=20))
    spin = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.1: pass"
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", spin], preexec_fn=group.join, check=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        usage = group.usage()
    finally:
        group.remove()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # At most `quota` cores: the CPU time it got took at least cpu / quota of wall time
    # (less slack for the CFS periods at the start and the end, where cgroup v1 lets a
    # process overrun: measured 1.36 s of wall for 0.154 s of CPU at 0.1 cores; without a
    # quota the wall time would be about the CPU time, far below the bound).
    assert wall >= cpu / quota - 0.25, (wall, cpu)
    assert usage["cpu_throttled"] > 0, usage
