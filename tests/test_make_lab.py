"""`make lab` starts JupyterLab from a fresh checkout and from the student bundle, as root
too (containers, many cloud VMs), and a browser could reach it. Then it is stopped.

The venv of this test run stands in for the one `make lab` would create (pip is not what
is tested here): VENV points at it and `-o` tells make its install stamp is up to date.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from authoring import bundle
from course.paths import ROOT

pytestmark = pytest.mark.slow

VENV = os.path.dirname(os.path.dirname(sys.executable))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_checkout(dest):
    """The repository's tracked files, as a fresh clone of this working tree has them."""
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for rel in filter(None, files):
        if os.path.exists(os.path.join(ROOT, rel)):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, rel), os.path.join(dest, rel))
    return dest


def start_lab(folder, tmp_path):
    port, token = free_port(), "make-lab-test"
    args = (
        f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
        f"--ServerApp.port_retries=0 --IdentityProvider.token={token}"
    )
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        IPYTHONDIR=str(tmp_path / "ipy"),
    )
    log = open(tmp_path / "lab.log", "wb")
    proc = subprocess.Popen(
        [
            "make",
            "-C",
            folder,
            "lab",
            f"VENV={VENV}",
            "-o",
            f"{VENV}/.installed",
            f"LAB_ARGS={args}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    return proc, f"http://127.0.0.1:{port}", token, tmp_path / "lab.log"


def wait_for(url, proc, log, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer {url}:\n{log.read_text()[-3000:]}")


def stop(proc):
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.mark.parametrize("origin", ["fresh checkout", "student bundle"])
def test_make_lab_starts_and_serves_the_course(origin, tmp_path):
    folder = str(tmp_path / "course")
    if origin == "fresh checkout":
        fresh_checkout(folder)
    else:
        bundle.build(folder, archive=False)
    proc, base, token, log = start_lab(folder, tmp_path)
    try:
        status, _ = wait_for(f"{base}/api/status?token={token}", proc, log)
        assert status == 200
        status, page = wait_for(f"{base}/lab?token={token}", proc, log)
        assert status == 200 and "JupyterLab" in page
        listing = "workspace/notebooks" if origin == "fresh checkout" else "notebooks"
        status, body = wait_for(f"{base}/api/contents/{listing}?token={token}", proc, log)
        assert "00_start_here.ipynb" in body
    finally:
        stop(proc)
    started = log.read_text()
    assert ("--allow-root" in started) == (os.geteuid() == 0)


@pytest.mark.parametrize("makefile", ["Makefile", "authoring/student/Makefile"])
def test_allow_root_only_for_root(makefile):
    def lab_command(uid):
        return subprocess.run(
            [
                "make",
                "-n",
                "-f",
                os.path.join(ROOT, makefile),
                "lab",
                f"LAB_USER_ID={uid}",
                f"VENV={VENV}",
                "-o",
                f"{VENV}/.installed",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout

    assert "--allow-root" in lab_command(0)
    assert "--allow-root" not in lab_command(1000)
