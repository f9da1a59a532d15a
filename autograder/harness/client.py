"""Client of the judge server (autograder/grading/judge_server.py), used inside the sandbox.

Wire format: each message is a 4-byte big-endian length followed by a payload
encoded with helpers.checks.serial (JSON with .npy arrays; no pickle anywhere).
"""

import socket
import struct
from types import SimpleNamespace

import numpy as np

from helpers.checks import serial


def send_message(sock, obj):
    data = serial.encode(obj)
    sock.sendall(struct.pack(">I", len(data)) + data)


def recv_message(sock):
    header = _recv_exactly(sock, 4)
    (n,) = struct.unpack(">I", header)
    if n > serial.MAX_BYTES:
        raise ConnectionError(f"message of {n} bytes is too large")
    return serial.decode(_recv_exactly(sock, n))


def _recv_exactly(sock, n):
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ConnectionError("the judge closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


class RemoteJudge:
    """Same interface as autograder.judge.LocalJudge, over a Unix socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)

    def _request(self, **msg):
        send_message(self.sock, msg)
        reply = recv_message(self.sock)
        if "error" in reply:
            raise RuntimeError(f"grading judge: {reply['error']}")
        return reply

    def begin(self, check_id):
        return self._request(op="begin", check=check_id)["cases"]

    def finish(self, check_id, outputs):
        try:
            v = self._request(op="finish", check=check_id, outputs=outputs)["verdict"]
        finally:
            self.sock.close()
        return SimpleNamespace(passed=v["passed"], message=v["message"], n_cases=v["cases"])

    def call(self, name, *args):
        return self._request(op="call", name=name, args=list(args))["result"]

    def collaborator(self, name):
        if name == "clip_global_norm":
            return self._clip_global_norm

        def remote(*args):
            return self.call(name, *args)

        remote.__name__ = name
        return remote

    def _clip_global_norm(self, net, threshold):
        # Layers cannot travel over the wire; their gradients can. The judge clips the
        # arrays with the reference and the result is written back in place.
        grads = [g for layer in net for _, g, _ in layer.get_params()]
        result = self.call("clip_global_norm_arrays", [np.asarray(g) for g in grads],
                           float(threshold))
        for g, new in zip(grads, result["grads"], strict=True):
            g[...] = new
        return result["norm"]
