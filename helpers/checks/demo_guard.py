"""A cell after a failing test says "fix the test above first", not a later error.

A visible test that fails records its exercise here, and a test that passes clears it.
When a later cell of the same notebook (a demo, a plot, the training) raises an error
while it uses the object of a failed exercise, IPython shows what that test said
instead of the traceback: the demo's error is most likely the same bug seen from far
away (a shape error inside plotting code, or inside a correct method that was handed a
wrong array), and the test's message is the one that points at the bug.

Installed into the notebook's IPython kernel when ``helpers.checks`` is imported;
outside IPython nothing changes.
"""

import types

FAILED = {}  # exercise id -> (subject name, check name, the test's message)


def test_failed(tests, error):
    FAILED[tests.id] = (tests.subject, f"check_{tests.id}", str(error))


def test_passed(tests):
    FAILED.pop(tests.id, None)


def _names(code):
    """Global names ``code`` refers to, with the functions and classes defined in it."""
    names, codes = set(), [code]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return names


def _codes_of(obj):
    functions = vars(obj).values() if isinstance(obj, type) else [obj]
    return {f.__code__ for f in functions if isinstance(f, types.FunctionType)}


def failed_test_used(namespace, tb):
    """(subject, check, message) of a failed exercise whose object the failing cell uses:
    by name in the cell's code (or in the notebook's functions on the traceback), or
    because the error passed through the object's own code. None if there is none."""
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    # Only the notebook's own code: IPython's and numpy's frames name unrelated things.
    codes = [f.f_code for f in frames if f.f_globals is namespace]
    names = set().union(*map(_names, codes))
    for subject, check, message in FAILED.values():
        if subject in names or _codes_of(namespace.get(subject)) & set(codes):
            return subject, check, message
    return None


def notice(failed, etype, value):
    """The text shown in place of the traceback."""
    subject, check, message = failed
    first = message.strip().splitlines()[0] if message.strip() else check
    return (
        f"Fix the test above first: this cell uses your {subject}, whose test {check} "
        f"failed:\n    {first}\n"
        f"The error this cell ran into most likely comes from the same bug, far from it:\n"
        f"    {etype.__name__}: {value}\n"
        f"Once the test passes (re-run it after your fix), run this cell again."
    )


def _handler(shell, etype, value, tb, tb_offset=None):
    # A failing test or an unanswered exercise already says what to do.
    failed = None
    if not isinstance(value, (AssertionError, NotImplementedError)):
        failed = failed_test_used(shell.user_ns, tb)
    if failed is None:
        shell.showtraceback(running_compiled_code=True)  # what IPython shows by default
    else:
        # _showtraceback is IPython's hook for showing a traceback: in a kernel it sends
        # the "error" message the notebook displays (and marks the cell as failed).
        shell._showtraceback(etype, value, [notice(failed, etype, value)])


def install():
    """Show the notice in this IPython kernel (nothing outside IPython, and nothing if
    another custom exception handler is already set)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or shell.custom_exceptions not in ((), (Exception,)):
        return
    shell.set_custom_exc((Exception,), _handler)
