"""Update rules: the ``update_fun`` a layer's update step takes.

An update rule is a callable ``update_fun(param, grad, learning_rate)`` that changes
``param`` in place. Plain SGD is what a layer's update step does when no rule is given
(you write that part in notebook 1).

Adam (Kingma & Ba, 2015) is the course's fast path for the memorization task: it
divides each step by a running RMS of that parameter's gradient, so every weight
moves at a similar speed whatever the scale of its gradient. An RNN's gradients differ
by orders of magnitude between W_hh, W_hx and the output layer; notebook 5 compares
Adam with plain SGD on the same task.
"""

import numpy as np


class Adam:
    """Adam with bias correction. State is kept per parameter array (by identity),
    so parameters must be updated in place and live as long as the optimizer.

    Usage: pass one ``Adam()`` as the update rule of every layer's update step, for the
    whole training run (notebook 5's training loop does).
    """

    def __init__(self, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.state = {}  # id(param) -> [step, m, v]

    def __call__(self, param, grad, learning_rate):
        key = id(param)
        if key not in self.state:
            self.state[key] = [0, np.zeros_like(param), np.zeros_like(param)]
        s = self.state[key]
        s[0] += 1
        step, m, v = s
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * grad * grad
        m_hat = m / (1 - self.beta1**step)
        v_hat = v / (1 - self.beta2**step)
        param -= learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
