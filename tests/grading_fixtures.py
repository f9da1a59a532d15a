"""Submissions for the grading tests, built from release/ and source/ at test time.

Each fixture is {notebook file name: notebook JSON (or raw text)} for one student.
A "student" fills answer cells like a person would (release notebook + answers);
attacks are cells the student adds, or edits to the notebook's structure.
"""

import copy
import json
import os

from course.paths import RELEASE_DIR as RELEASE
from course.paths import SOURCE_DIR as SOURCE

NOTEBOOKS = sorted(n for n in os.listdir(RELEASE) if n.endswith(".ipynb"))


def _load(directory, name):
    with open(os.path.join(directory, name)) as f:
        return json.load(f)


def _text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def answers(name):
    """{grade_id: reference answer text} of one notebook's answer cells."""
    return {
        _gid(c): _text(c)
        for c in _load(SOURCE, name)["cells"]
        if c["metadata"].get("nbgrader", {}).get("solution")
    }


def student_notebook(name, replace=None, edit=None):
    """The release notebook with every answer filled in from the reference.

    ``replace``: {grade_id: new source} for chosen answers; ``edit``: {grade_id:
    (old, new)} to change one piece of the reference answer (a typical bug).
    """
    nb = _load(RELEASE, name)
    ref = answers(name)
    for cell in nb["cells"]:
        gid = _gid(cell)
        if gid in ref:
            text = ref[gid]
            if replace and gid in replace:
                text = replace[gid]
            if edit and gid in edit:
                old, new = edit[gid]
                assert old in text, f"{old!r} not in {gid}"
                text = text.replace(old, new)
            cell["source"] = text
    return nb


def untouched(name):
    return _load(RELEASE, name)


def add_cell(nb, source, index=1):
    """Insert a student's own code cell (no nbgrader metadata)."""
    nb = copy.deepcopy(nb)
    nb["cells"].insert(
        index,
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"attack-{index}-{len(nb['cells'])}",
            "metadata": {},
            "outputs": [],
            "source": source,
        },
    )
    return nb


def full(**per_notebook):
    """All notebooks answered correctly, with per-notebook overrides."""
    return {n: per_notebook.get(n[:-6], student_notebook(n)) for n in NOTEBOOKS}


NB1, NB2, NB3, NB4, NB5 = NOTEBOOKS[:5]  # the notebooks the fixtures edit


# ------------------------------------------------------------------ typical bugs


def bug_softmax_overflow():
    return {
        NB1: student_notebook(
            NB1,
            edit={
                "softmax": (
                    "shifted = logits - logits.max(axis=-1, keepdims=True)",
                    "shifted = logits",
                )
            },
        ),
        NB5: student_notebook(NB5),
    }


def bug_bptt_sign():
    return {
        n: student_notebook(
            n,
            edit={"basicrnncell-backward": ("(dh[t] + dh_next)", "(dh[t] - dh_next)")}
            if n == NB3
            else None,
        )
        for n in (NB3, NB4, NB5)
    }


def bug_missing_tanh_derivative():
    return {
        NB3: student_notebook(
            NB3,
            edit={
                "basicrnncell-backward": ("dact = 1.0 - hs[1:] ** 2", "dact = np.ones_like(hs[1:])")
            },
        ),
        NB5: student_notebook(NB5),
    }


def bug_clipping_changes_direction():
    per_tensor = """def clip_global_norm(net, threshold):
    norms = []
    for layer in net:
        for _, grad, _ in layer.get_params():
            n = np.linalg.norm(grad)
            norms.append(n)
            if n > threshold:  # each tensor on its own: the direction changes
                grad *= threshold / n
    return float(np.sqrt(sum(n * n for n in norms)))
"""
    return {
        NB4: student_notebook(NB4, replace={"clip_global_norm": per_tensor}),
        NB5: student_notebook(NB5),
    }


# ------------------------------------------------------------------ valid alternatives

LOOP_SOFTMAX = """def softmax(logits):
    out = np.empty_like(logits, dtype=float)
    for t in range(logits.shape[0]):
        for n in range(logits.shape[1]):
            z = logits[t, n] - np.max(logits[t, n])
            out[t, n] = np.exp(z) / np.sum(np.exp(z))
    return out
"""

LOOP_FORWARD = """@add_to_class(BasicRNNCell)
def forward(self, x):
    require_sequence_batch(x, "x", features=self.W_hx.shape[1])
    T, N, D = x.shape
    H = self.W_hh.shape[0]
    hs = np.zeros((T + 1, N, H))
    for t in range(T):
        for n in range(N):
            a = self.W_hx @ x[t, n] + self.W_hh @ hs[t, n] + self.bh
            hs[t + 1, n] = np.tanh(a) if self.activation == "tanh" else np.maximum(a, 0)
    self.x = x
    self.hs = hs
    return hs[1:]
"""

LOOP_BACKWARD = """@add_to_class(BasicRNNCell)
def backward(self, dh):
    T, N, H = dh.shape
    dx = np.zeros(self.x.shape)
    for n in range(N):
        carry = np.zeros(H)
        for t in reversed(range(T)):
            h = self.hs[t + 1, n]
            deriv = 1 - h * h if self.activation == "tanh" else (h > 0) * 1.0
            da = (dh[t, n] + carry) * deriv
            self.dW_hx += np.outer(da, self.x[t, n])
            self.dW_hh += np.outer(da, self.hs[t, n])
            self.dbh += da
            dx[t, n] = self.W_hx.T @ da
            carry = self.W_hh.T @ da
    return dx
"""

TORCH_STYLE_CLIP = """def clip_global_norm(net, threshold):
    grads = [g for layer in net for _, g, _ in layer.get_params()]
    total = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    scale = min(1.0, threshold / (total + 1e-6))  # PyTorch's clip_grad_norm_ formula
    for g in grads:
        g *= scale
    return float(total)
"""


def alternatives():
    # Notebook 5 is left out: its training demo would run the loop-based cell for minutes.
    return {
        NB1: student_notebook(NB1, replace={"softmax": LOOP_SOFTMAX}),
        NB2: student_notebook(NB2, replace={"basicrnncell-forward": LOOP_FORWARD}),
        NB3: student_notebook(NB3, replace={"basicrnncell-backward": LOOP_BACKWARD}),
        NB4: student_notebook(NB4, replace={"clip_global_norm": TORCH_STYLE_CLIP}),
    }


# ------------------------------------------------------------------ attacks
# Each attack starts from notebook 1 with NO answers (stubs that raise), so every point
# it gets is a point gained by the attack. Expected score: 0.


def _attack(source, notebook=NB1):
    return {notebook: add_cell(untouched(notebook), source)}


def attack_monkeypatch_numpy():
    return _attack("""import numpy as np, numpy.testing
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.isfinite = lambda a: np.ones(np.shape(a), bool)
np.abs = lambda a: np.zeros(np.shape(a))
np.max = lambda *a, **k: 0.0
np.nanmax = lambda *a, **k: 0.0
""")


def attack_monkeypatch_builtins():
    # Builtins patched for the course's code only (its checks, the test cells, the harness):
    # Python's and the libraries' own calls (the kernel's machinery) still get the real
    # ones, so the kernel keeps running every test cell against the patches.
    return _attack("""import builtins, sys, sysconfig
class NotAnError(Exception):
    pass
builtins.AssertionError = NotAnError
_isinstance, _len = isinstance, len
_system = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], "<frozen")
def _fooled():
    return not sys._getframe(2).f_code.co_filename.startswith(_system)
builtins.isinstance = lambda obj, cls: True if _fooled() else _isinstance(obj, cls)
builtins.len = lambda obj: 0 if _fooled() else _len(obj)
print("builtins patched, the kernel still runs:", 1 + 1)
""")


def attack_input_transformer():
    return _attack("""get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])""")


def attack_ast_transformer():
    return _attack("""import ast
class DropEverything(ast.NodeTransformer):
    def visit_Module(self, node):
        node.body = [ast.Pass()]
        return node
get_ipython().ast_transformers.append(DropEverything())
""")


def attack_event_hooks():
    return _attack("""ip = get_ipython()
def forget_errors(result):
    result.error_in_exec = None
    result.error_before_exec = None
ip.events.register("post_run_cell", forget_errors)
ip.set_custom_exc((BaseException,), lambda *args, **kwargs: None)
ip.showtraceback = lambda *a, **k: None
""")


def attack_fake_harness():
    # Replace the kernel-side harness and checks so that every test "passes".
    return _attack("""import sys, types
import helpers.checks as hc
for name in dir(hc):
    if name.startswith("check_"):
        setattr(hc, name, lambda *a, **k: True)
fake = types.ModuleType("autograder.harness")
fake.hidden_check = lambda *a, **k: True
sys.modules["autograder.harness"] = fake
import os
os.environ.pop("RNN_JUDGE_SOCKET", None)
""")


def _is_test(cell):
    """Is this cell (notebook JSON) a graded test cell?"""
    return bool(cell["metadata"].get("nbgrader", {}).get("grade"))


def attack_edit_test_cells():
    nb = untouched(NB1)
    for cell in nb["cells"]:
        if _is_test(cell):
            cell["source"] = "pass"
            cell["metadata"]["nbgrader"]["points"] = 100
            cell["metadata"]["nbgrader"]["locked"] = False
    return {NB1: nb}


def attack_import_reference():
    return _attack("""import sys, glob
sys.path[:0] = ["/work/main", "../../..", "../../../.."] + glob.glob("/*/*/autograder/..")
try:
    from course.reference import *  # noqa
    from course.reference import Layer as _L
    print("IMPORTED THE REFERENCE")
except ImportError as e:
    print("blocked:", e)
""")


def attack_probe_judge():
    # Talk to the judge directly: learn the expected values from a failure message,
    # then answer correctly. The judge allows one attempt per test, so this fails.
    return _attack("""import os
from autograder.harness.client import RemoteJudge
judge = RemoteJudge(os.environ["RNN_JUDGE_SOCKET"])
cases = judge.begin("softmax")
verdict = judge.finish("softmax", [{"ok": {"probs": 0, "input_unchanged": True}}] * len(cases))
print("probe:", verdict.message[:200])
judge = RemoteJudge(os.environ["RNN_JUDGE_SOCKET"])
try:
    judge.begin("softmax")
    print("SECOND ATTEMPT ALLOWED")
except RuntimeError as e:
    print("second attempt refused:", e)
judge = RemoteJudge(os.environ["RNN_JUDGE_SOCKET"])
try:
    print("ORACLE", judge.call("softmax", [[[1.0, 2.0]]]))
except RuntimeError as e:
    print("oracle refused:", e)
""")


def attack_read_secrets(paths):
    probe = "\n".join(f"probe({p!r})" for p in paths)
    return _attack(f"""import os
leaks = []
def probe(path):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as f:
                f.read(16)
        leaks.append(path)
    except OSError:
        pass
{probe}
print("LEAKS:", leaks if leaks else "none")
""")


def attack_write_files(paths):
    probe = "\n".join(f"probe({p!r})" for p in paths)
    return _attack(f"""import os
written = []
def probe(path):
    try:
        with open(path, "a") as f:
            f.write("tampered")
        written.append(path)
    except OSError:
        pass
{probe}
print("WRITTEN:", written if written else "none")
""")


def attack_network(port):
    return _attack(f"""import socket
opened = []
for host, p in [("127.0.0.1", {port}), ("1.1.1.1", 53), ("10.0.2.2", 80)]:
    try:
        s = socket.create_connection((host, p), timeout=2)
        opened.append(f"{{host}}:{{p}}")
        s.close()
    except OSError:
        pass
try:
    socket.getaddrinfo("pypi.org", 443)
    opened.append("dns")
except OSError:
    pass
print("CONNECTIONS:", opened if opened else "none")
""")


# ------------------------------------------------------------------ broken submissions
# These answer notebook 1 correctly (9 points) so it shows that the rest is still graded.


def broken_kernel_exit():
    return {
        NB1: student_notebook(NB1),
        NB2: add_cell(student_notebook(NB2), "import os\nos._exit(1)", index=3),
    }


def broken_segfault():
    return {
        NB1: student_notebook(NB1),
        NB2: add_cell(student_notebook(NB2), "import ctypes\nctypes.string_at(0)", index=3),
    }


def broken_infinite_loop():
    return {NB1: add_cell(student_notebook(NB1), HANG, index=3)}


def broken_slow_notebook(cell_seconds):
    # Every cell stays under the per-cell limit; together they exceed the notebook's.
    nb = student_notebook(NB1)
    for i in range(6):
        nb = add_cell(nb, f"import time\ntime.sleep({cell_seconds - 2})", index=2 + i)
    return {NB1: nb}


def broken_memory_bomb():
    return {
        NB1: add_cell(
            student_notebook(NB1),
            """import numpy as np
hog = []
try:
    while True:
        hog.append(np.ones(10**8))
except MemoryError:
    hog.clear()
    print("memory limit reached")
""",
            index=3,
        )
    }


def broken_huge_output():
    return {
        NB1: add_cell(
            student_notebook(NB1), "for i in range(10**6):\n    print(i, 'x' * 100)", index=3
        )
    }


def attack_judge_of_another_notebook():
    # Issue 20, 8: notebook 2's kernel asks its judge for notebook 4's tests first.
    return _attack(
        """import os
from autograder.harness.client import RemoteJudge
judge = RemoteJudge(os.environ["RNN_JUDGE_SOCKET"])
try:
    cases = judge.begin("spectral_radius")
    print("CROSS-NOTEBOOK CASES", len(cases))
except RuntimeError as e:
    print("cross-notebook refused:", e)
""",
        notebook=NB2,
    )


def broken_display_flood():
    # Issue 20, 9: the kernel's own cap undone, then displays the cap never covered:
    # 6 MB of HTML, 3,000 tiny outputs, 10 MB of text.
    flood = """import sys
from IPython.display import HTML, display
ip = get_ipython()
for owner, name in ((ip.display_pub, "publish"), (ip.displayhook, "write_format_data")):
    setattr(owner, name, getattr(type(owner), name).__get__(owner))
for stream in (sys.stdout, sys.stderr):
    stream.write = type(stream).write.__get__(stream)
display(HTML("<b>x</b>" * 800_000))
for i in range(3_000):
    display(i)
print("x" * 10_000_000)
print("FLOODED")
"""
    return {NB1: add_cell(student_notebook(NB1), flood, index=3)}


def broken_invalid_json():
    text = json.dumps(student_notebook(NB1))[:-200]  # truncated: invalid JSON
    return {NB1: text, NB2: student_notebook(NB2)}


def broken_structure():
    """Deleted, duplicated, renamed and metadata-edited cells, with correct answers."""
    nb = student_notebook(NB1)
    cells = nb["cells"]
    tests = [c for c in cells if _is_test(c)]
    cells.remove(tests[0])  # deleted test cell (softmax)
    dup = copy.deepcopy(tests[1])  # duplicated test cell (cross-entropy)
    dup["id"] = "dup-1"
    cells.insert(cells.index(tests[1]) + 1, dup)
    tests[2]["metadata"]["nbgrader"]["grade_id"] = "renamed"  # renamed test cell
    tests[3]["metadata"]["nbgrader"]["points"] = 100  # metadata edited
    tests[4]["metadata"]["nbgrader"]["grade"] = False
    tests[5]["cell_type"] = "markdown"  # turned into markdown
    tests[5].pop("outputs", None)
    tests[5].pop("execution_count", None)
    return {NB1: nb}


def broken_missing_and_extra():
    return {
        NB2: student_notebook(NB2),
        "numpy.py": "raise SystemExit('shadowed numpy')\n",
        "helpers.py": "x = 1\n",
        "notes.txt": "my notes\n",
    }


# ------------------------------------------------------------------ pathological work

HANG = "while True:\n    pass\n"
# A hang that waits instead of spinning: the graded class's cell limit (30 s, room for a
# loaded machine) then costs the suite's other tests no CPU (as hang_everywhere's, graded
# twice by the scale class). Spinning hangs are the batch's broken_infinite_loop and the
# scale class's cpu_hog.
WAITING_HANG = "import time\nwhile True:\n    time.sleep(1)\n"


def _first_answer(name):
    return next(iter(answers(name)))


def hang_in_softmax():
    """Complete and correct, except an endless wait at the top of the softmax answer."""
    hang = WAITING_HANG + "def softmax"
    return full(**{NB1[:-6]: student_notebook(NB1, edit={"softmax": ("def softmax", hang)})})


def hang_everywhere(notebooks=NOTEBOOKS):
    """An endless wait at the top of the first answer cell of every notebook (a wait: the
    scale class grades it twice beside 8 workers; it is stopped as a spinning loop is)."""
    out = {}
    for n in notebooks:
        first = _first_answer(n)
        out[n] = student_notebook(n, replace={first: WAITING_HANG + answers(n)[first]})
    return out


# ------------------------------------------------------------------ hostile neighbours
# Complete notebooks 1-3 with one hostile cell in notebook 1: what they do must cost
# nobody else anything (each kernel has its own processes, memory, CPU and disk).

FORK_BOMB = """import os, time
end = time.time() + 5  # then every process of the bomb exits, and the notebook goes on
def bomb():
    while time.time() < end:
        try:
            os.fork()  # parent and child go on forking
        except OSError:
            time.sleep(0.01)
first = os.fork()
if first == 0:
    bomb()
    os._exit(0)
os.waitpid(first, 0)
time.sleep(1)
print("fork bomb over")
"""

MEMORY_HOG = """import os, time
import numpy as np
children = []
for _ in range(4):  # each within its own address space limit, together far beyond
    pid = os.fork()
    if pid == 0:
        try:
            hog = np.ones(10**8)  # 0.8 GB each, within one kernel's address space
            time.sleep(3)
        finally:
            os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print("memory hog done")
"""

CPU_HOG = """import subprocess, sys
spin = "import time\\nt = time.time()\\nwhile time.time() - t < 15:\\n    pass"
hogs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(8)]
print("cpu hog started")
"""

DISK_FILLER = """written = 0
try:
    for i in range(10**4):
        with open(f"/tmp/fill{i}", "wb") as f:
            for _ in range(60):
                f.write(b"x" * 2**20)
                written += 1
except OSError as e:
    print(f"disk full after {written} MB: {e}")
"""


def hostile(cell, index=None):
    """Complete notebooks 1-3, with ``cell`` added to notebook 1: by default just before
    its last test cell (grading runs no cell after it: execute.after_the_last_test)."""
    nb1 = student_notebook(NB1)
    last_test = max(i for i, c in enumerate(nb1["cells"]) if _is_test(c))
    return {
        NB1: add_cell(nb1, cell, index=last_test if index is None else index),
        NB2: student_notebook(NB2),
        NB3: student_notebook(NB3),
    }


def complete(notebooks=(NB1, NB2, NB3)):
    return {n: student_notebook(n) for n in notebooks}
