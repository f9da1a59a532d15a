"""Stand-in layers for testing code that *drives* layers (clipping, training, evaluation).

They are not RNN layers: their maths is deliberately simple and even inconsistent
(backward is not the derivative of forward). A test of a training step checks the
plumbing — forward in order, the loss gradient backward in reverse, clipping,
updates — not calculus, and it must not depend on your LinearLayer or BasicRNNCell
(they have tests of their own). Every call is recorded.
"""

import numpy as np


class ParamHolder:
    """A layer that only holds parameters and their gradients.

    Args:
        params: dict name -> array; gradients start as ``grads[name]`` (or zeros).
    """

    def __init__(self, params, grads=None):
        self.param_names = tuple(params)
        for name, value in params.items():
            setattr(self, name, np.array(value, dtype=float))
            g = np.zeros_like(value, dtype=float) if grads is None else grads[name]
            setattr(self, "d" + name, np.array(g, dtype=float))

    def get_params(self):
        for name in self.param_names:
            yield getattr(self, name), getattr(self, "d" + name), name

    def zero_grads(self):
        for _, g, _ in self.get_params():
            g[...] = 0.0

    def clip_gradients(self, threshold):
        # Without this, calling it failed with "'ParamHolder' object has no attribute",
        # naming a class the student never saw instead of the mistake. (Not
        # NotImplementedError: the checks read that as "exercise not written yet".)
        raise RuntimeError(
            "your code called layer.clip_gradients, which clips each gradient by its OWN "
            "norm; clip_global_norm computes ONE norm over all gradients of all layers and "
            "scales every gradient by the same factor"
        )

    def state(self):
        """Parameters and gradients, for comparison: {"P": ..., "dP": ...}."""
        out = {}
        for p, g, name in self.get_params():
            out[name], out["d" + name] = p.copy(), g.copy()
        return out


class ScriptedLayer(ParamHolder):
    """A recording layer with fixed maths.

        forward(x)  = tanh(x @ A)              x (T, N, n_in) -> (T, N, n_out)
        backward(dy) = dy @ B                  (B is NOT A^T: plumbing only)
        dP += sum_{t,n} dy * forward output    P (n_out,)
        dQ += sum_{t,n} x                      Q (n_in,)

    The gradients grow with the sequence length, as real ones do. Clipping and the
    update step only record how they were called (see below).
    """

    def __init__(self, A, B, P, Q):
        super().__init__({"P": P, "Q": Q})
        self.A, self.B = np.array(A, dtype=float), np.array(B, dtype=float)
        self.log = {
            "forward": [],
            "backward": [],
            "update_weights": [],
            "clip_gradients": [],
            "zero_grads": 0,
        }

    def forward(self, x):
        self.log["forward"].append(np.array(x, dtype=float))
        self.x = np.asarray(x, dtype=float)
        self.y = np.tanh(self.x @ self.A)
        return self.y

    def backward(self, dy):
        dy = np.asarray(dy, dtype=float)
        self.log["backward"].append(dy.copy())
        self.dP += np.sum(dy * self.y, axis=(0, 1))
        self.dQ += np.sum(self.x, axis=(0, 1))
        return dy @ self.B

    def zero_grads(self):
        self.log["zero_grads"] += 1
        super().zero_grads()

    def clip_gradients(self, threshold=5.0):
        self.log["clip_gradients"].append(float(threshold))  # recorded only

    def update_weights(self, learning_rate=1e-3, update_fun=None):
        """Records the call and the gradients it saw; then a scripted change, not a real
        update: A += learning_rate (so a forward pass after it gives other outputs), and
        the gradients are reset."""
        name = getattr(update_fun, "rule_name", None if update_fun is None else "unknown")
        self.log["update_weights"].append(
            {
                "learning_rate": float(learning_rate),
                "rule": name,
                "dP": self.dP.copy(),
                "dQ": self.dQ.copy(),
            }
        )
        self.A = self.A + learning_rate
        super().zero_grads()

    def record(self):
        """Everything the test compares: calls, their arguments, final parameters."""
        out = self.state()
        out["A"] = self.A.copy()
        out["forward_inputs"] = list(self.log["forward"])
        out["backward_inputs"] = list(self.log["backward"])
        out["n_forward"] = len(self.log["forward"])
        out["n_backward"] = len(self.log["backward"])
        out["updates"] = list(self.log["update_weights"])
        return out


class ScaledStep:
    """An update rule for tests: param -= factor * learning_rate * grad; counts its calls."""

    rule_name = "scaled-step"

    def __init__(self, factor=2.0):
        self.factor, self.calls = factor, 0

    def __call__(self, param, grad, learning_rate):
        self.calls += 1
        param -= self.factor * learning_rate * grad


class CopyOracle:
    """A "network" that solves the memorization task by reading its input, with planted
    mistakes, to test accuracy code.

    forward(x) returns logits (T, N, V): the correct label gets logit 5; at the
    1-based post-delimiter positions in ``wrong_positions`` a wrong symbol gets 8
    instead; before the delimiter every output is wrong when ``wrong_before`` is True.
    So the accuracy after the delimiter is exactly 1 - len(wrong_positions) / L.
    """

    param_names = ()

    def __init__(self, wrong_positions=(), wrong_before=True):
        self.wrong_positions = tuple(int(p) for p in wrong_positions)
        self.wrong_before = bool(wrong_before)
        self.sequences_seen = 0
        self._seen = []  # every input sequence, as a tuple of symbols

    def forward(self, x):
        T, N, V = x.shape
        L = (T - 1) // 2
        self.sequences_seen += N
        symbols = x.argmax(axis=-1)  # (T, N)
        self._seen += [tuple(int(s) for s in symbols[:, n]) for n in range(N)]
        target = np.full((T, N), V - 1)
        target[L] = V - 2
        target[L + 1 :] = symbols[:L]
        logits = np.zeros((T, N, V))
        np.put_along_axis(logits, target[..., None], 5.0, axis=-1)
        wrong = (target + 1) % (V - 2)  # a content symbol that is not the target
        rows = [L + p for p in self.wrong_positions]
        if self.wrong_before:
            rows += list(range(L + 1))
        for t in rows:
            np.put_along_axis(logits[t], wrong[t][:, None], 8.0, axis=-1)
        return logits

    def backward(self, dy):
        return np.zeros_like(dy)

    def fingerprint(self):
        """The sequences seen, in order (the same code with the same rng sees the same)."""
        return tuple(self._seen)

    def get_params(self):
        return iter(())

    def zero_grads(self):
        pass
