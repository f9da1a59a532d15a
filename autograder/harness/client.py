"""Client of the judge server (autograder/grading/judge_server.py), used inside the sandbox.

Wire format: each message is a 4-byte big-endian length followed by a payload encoded
with helpers.checks.serial (JSON with .npy arrays; no pickle anywhere).
"""

import socket
import struct
from types import SimpleNamespace

import numpy as np

from helpers.checks import serial

NET = "__net__"  # a network travels as the gradient arrays of its layers


def send_message(sock, obj):
    data = serial.encode(obj)
    sock.sendall(struct.pack(">I", len(data)) + data)


def recv_bytes(sock, max_bytes=serial.MAX_BYTES):
    """The payload of one message, refused (ConnectionError) beyond ``max_bytes``."""
    header = _recv_exactly(sock, 4)
    (n,) = struct.unpack(">I", header)
    if n > max_bytes:
        raise ConnectionError(f"message of {n} bytes is too large")
    return _recv_exactly(sock, n)


def recv_message(sock):
    return serial.decode(recv_bytes(sock))


def _recv_exactly(sock, n):
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ConnectionError("the judge closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def is_net(value):
    """A list of layers: objects with get_params() (real layers or the tests' stand-ins)."""
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(hasattr(layer, "get_params") for layer in value)
    )


def net_gradients(net):
    """Every gradient array of every layer, layer by layer."""
    return [[g for _, g, _ in layer.get_params()] for layer in net]


class RemoteJudge:
    """Same interface as course.judge.LocalJudge, over a Unix socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)

    def _request(self, **msg):
        send_message(self.sock, msg)
        reply = recv_message(self.sock)
        if "error" in reply:
            raise RuntimeError(f"grading judge: {reply['error']}")
        return reply

    def begin(self, exercise_id):
        return self._request(op="begin", check=exercise_id)["cases"]

    def finish(self, exercise_id, results):
        try:
            v = self._request(op="finish", check=exercise_id, outputs=results)["verdict"]
        finally:
            self.sock.close()
        return SimpleNamespace(passed=v["passed"], message=v["message"], n_cases=v["cases"])

    def call(self, name, *args):
        return self._request(op="call", name=name, args=list(args))["result"]

    def collaborator(self, name):
        """A stand-in for the reference function ``name``, computed by the judge.

        Layers cannot travel over the wire, their gradients can: a network argument is
        sent as its gradient arrays, and what the reference does to them (clipping, say)
        is written back into the layers' own arrays, in place.
        """

        def remote(*args):
            nets = [net_gradients(a) if is_net(a) else None for a in args]
            wire = [
                {NET: grads} if grads is not None else a
                for a, grads in zip(args, nets, strict=True)
            ]
            reply = self.call(name, *wire)
            for grads, new in zip([g for g in nets if g is not None], reply["nets"], strict=True):
                for layer_grads, layer_new in zip(grads, new, strict=True):
                    for g, value in zip(layer_grads, layer_new, strict=True):
                        g[...] = np.asarray(value)
            return reply["value"]

        remote.__name__ = name
        return remote
