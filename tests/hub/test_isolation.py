"""One student's fork bomb and memory bomb leave another student's notebook responsive.

On a real JupyterHub (fixtures: conftest.py here), with small limits so the bombs reach
them quickly: bob's kernel starts a fork bomb (every process forks again until the end)
and a memory bomb (a child that allocates until it is killed, started again each time)
for BOMB_SECONDS; meanwhile alice's kernel runs a small computation again and again
over the websocket JupyterLab uses. Each of her round trips must finish within
ROUND_TRIP_LIMIT, and bob's server's cgroup must have held: its process count at
pids_limit (forks refused), its memory at mem_limit (the OOM killer killed in it); how
often its CPU quota throttled it is printed, not asserted (it depends on what else
runs on the machine). The figures are printed (run with -s).
"""

import json
import statistics
import time
from pathlib import Path

import pytest

from deploy.limits import ServerCgroup, parse_bytes

pytestmark = pytest.mark.hub

# The limits under test, small so that the bombs reach them in a second (deploy.setup's
# defaults are 2G, 1 core, 512 tasks).
DEPLOYMENT_SETTINGS = {"mem_limit": "768M", "cpu_limit": 1.0, "pids_limit": 160}
BOMB_SECONDS = 14
ROUND_TRIP_LIMIT = 5.0  # s, for alice's computation while bob's bombs run
# ~0.1 s alone here: something to compute, so that a starved CPU shows, not only a slow socket.
WORK = "sum(i * i for i in range(200_000))"

BOMBS = """
import os, subprocess, sys, textwrap, time
end = time.time() + {seconds}
fork_bomb = textwrap.dedent(f'''
    import os, time
    while time.time() < {{end}}:
        try:
            os.fork()  # parent and child go on forking
        except OSError:
            pass  # and go on trying, on the CPU
    os._exit(0)
''')
memory_bomb = textwrap.dedent(f'''
    import os, time
    killed = 0
    while time.time() < {{end}}:
        try:
            pid = os.fork()
        except OSError:
            time.sleep(0.01)
            continue
        if pid == 0:
            hog = []
            while True:
                hog.append(b"x" * (16 << 20))  # written, so resident
        _, status = os.waitpid(pid, 0)
        killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9
        with open("memory-bomb.json", "w") as f:  # after each kill: the figure so far
            f.write(str(killed))
''')
subprocess.Popen([sys.executable, "-c", memory_bomb], start_new_session=True)
# Its first hog reaches the cap before the fork bomb takes every free process slot and
# the CPU (then hogs grow slowly: bob's processes share one quota).
while not os.path.exists("memory-bomb.json") and time.time() < end - 8:
    time.sleep(0.05)
subprocess.Popen([sys.executable, "-c", fork_bomb], start_new_session=True)
print("bombs away")
"""

# Run in the person's JupyterLab page: one execute_request on a kernel's websocket,
# resolved at its execute_reply and idle status (or at the timeout).
EXECUTE_JS = """
async ([url, code, timeoutMs]) => {
  const msgId = `rt-${Date.now()}-${Math.random()}`;
  return await new Promise((resolve) => {
    const ws = new WebSocket(url);
    let out = "", reply = null, idle = false, sent = 0;
    const done = (result) => { clearTimeout(timer); ws.close(); resolve(result); };
    const timer = setTimeout(
      () => done({ok: false, ms: performance.now() - sent, out: out, why: "timeout"}),
      timeoutMs);
    ws.onerror = () => done({ok: false, ms: 0, out: out, why: "websocket error"});
    ws.onopen = () => {
      sent = performance.now();
      ws.send(JSON.stringify({
        header: {msg_id: msgId, msg_type: "execute_request", username: "test",
                 session: msgId, date: new Date().toISOString(), version: "5.3"},
        parent_header: {}, metadata: {}, channel: "shell", buffers: [],
        content: {code: code, silent: false, store_history: false,
                  user_expressions: {}, allow_stdin: false, stop_on_error: true},
      }));
    };
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      if (!msg.parent_header || msg.parent_header.msg_id !== msgId) return;
      if (msg.msg_type === "stream") out += msg.content.text;
      if (msg.msg_type === "execute_result") out += msg.content.data["text/plain"];
      if (msg.msg_type === "error") out += msg.content.ename + ": " + msg.content.evalue;
      if (msg.msg_type === "execute_reply") reply = msg.content.status;
      if (msg.msg_type === "status" && msg.content.execution_state === "idle") idle = true;
      if (reply && idle) done({ok: reply === "ok", ms: performance.now() - sent, out: out});
    };
  });
}
"""


def start_kernel(person):
    kernel = person.api("POST", "kernels", {"name": "python3"})
    return kernel["id"]


def execute(person, kernel_id, code, timeout=30.0):
    ws_url = person.server.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
    return person.page.evaluate(EXECUTE_JS, [ws_url, code, int(timeout * 1000)])


def test_bombs_in_one_server_leave_another_responsive(hub, people):
    dep = hub.dep
    alice, bob = people(dep.students[0]), people(dep.students[1])
    t0 = time.perf_counter()
    for student in (alice, bob):
        student.start_login()
    for student in (alice, bob):
        student.wait_for_lab()
    kernels = {s.name: start_kernel(s) for s in (alice, bob)}
    warm = execute(alice, kernels[alice.name], WORK)
    assert warm["ok"], warm
    print(f"\nboth servers and kernels up in {time.perf_counter() - t0:.1f} s")

    baseline = [execute(alice, kernels[alice.name], WORK)["ms"] for _ in range(5)]

    started = execute(bob, kernels[bob.name], BOMBS.format(seconds=BOMB_SECONDS))
    assert started["ok"] and "bombs away" in started["out"], started
    t_bombs = time.monotonic()
    bob_group = ServerCgroup(bob.name, hub_pid=hub.proc.pid)
    during, pids_seen = [], []
    while time.monotonic() - t_bombs < BOMB_SECONDS - 1:
        result = execute(alice, kernels[alice.name], WORK, timeout=ROUND_TRIP_LIMIT * 4)
        assert result["ok"], f"alice's kernel, with bob's bombs running: {result}"
        during.append(result["ms"])
        pids_seen.append(bob_group.usage()["pids_current"])
    time.sleep(max(0.0, BOMB_SECONDS + 2 - (time.monotonic() - t_bombs)))
    usage = bob_group.usage()
    alice_usage = ServerCgroup(alice.name, hub_pid=hub.proc.pid).usage()
    record = Path(dep.home(bob.name)) / "memory-bomb.json"
    killed = json.loads(record.read_text()) if record.exists() else 0
    # bob's own server survives its bombs (his kernel may not: he can restart it)
    after = execute(bob, start_kernel(bob), "1 + 1")

    mem_limit, pids_limit = parse_bytes(dep.mem_limit), dep.pids_limit
    print(
        f"alice's round trip ({WORK}): alone median {statistics.median(baseline):.0f} ms, "
        f"during bob's bombs median {statistics.median(during):.0f} ms, "
        f"max {max(during):.0f} ms over {len(during)} round trips\n"
        f"bob's cgroup: processes peak {usage['pids_peak']} (limit {pids_limit}), "
        f"median while measured {statistics.median(pids_seen):.0f}, forks refused "
        f"{usage['pids_refused']}; memory peak {usage['memory_peak'] / 2**20:.0f} MiB "
        f"(limit {mem_limit / 2**20:.0f} MiB), OOM kills {usage['oom_kills']} "
        f"(memory bomb children killed: {killed}); CPU periods throttled "
        f"{usage['cpu_throttled']}\n"
        f"alice's cgroup: processes peak {alice_usage['pids_peak']}, memory peak "
        f"{alice_usage['memory_peak'] / 2**20:.0f} MiB; bob's server after the bombs: {after}"
    )
    assert max(during) / 1000 < ROUND_TRIP_LIMIT, during
    assert len(during) >= 3, during
    # Contained: bob reached his caps, and they held.
    assert usage["pids_peak"] <= pids_limit and usage["pids_refused"] > 0, usage
    assert usage["memory_peak"] <= mem_limit and usage["oom_kills"] >= 1 and killed >= 1, usage
    assert alice_usage["oom_kills"] == 0 and alice_usage["pids_refused"] == 0, alice_usage
    assert after["ok"] and "2" in after["out"], after
