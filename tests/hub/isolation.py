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
