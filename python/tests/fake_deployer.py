"""
A unit-test double of the deployer's end of the bridge (docs/python-bridge.md): two pipes and a
thread that answers hello, records every message the Python side sends, and answers calls the way
the test says.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import threading
from typing import Any, Callable, Dict, Optional, Tuple

Message = Dict[str, Any]
#: The host kinds the real deployer registers itself, as its hello lists them (deploy/*/kind.ts).
BUILTIN_HOST_KINDS = [
    {"kind": "localhost", "constructor": "Localhost", "aliases": {}},
    {"kind": "ssh", "constructor": "Ssh", "aliases": {}},
    {"kind": "aws", "constructor": "AwsMachine", "aliases": {"type": "instanceType"}},
    {"kind": "gcp", "constructor": "GcpMachine", "aliases": {"type": "machineType"}},
]

#: A call → its answer (``{"ok": …}`` or ``{"error": …}``), or None to leave it for the test to answer.
Answer = Callable[[Message], Optional[Message]]

CREATING = {"deployment.new", "pool.new", "host", "service", "process", "external", "stdout", "stderr", "receive"}


def handles() -> Answer:
    """Answers like the deployer for declarations: a fresh handle for what makes an object, else null."""
    counter = itertools.count(1)
    return lambda message: {"ok": next(counter) if message["call"] in CREATING else None}


class FakeDeployer:
    def __init__(self, answer: Optional[Answer] = None, hello: Optional[Message] = None) -> None:
        self._to_python_r, self._to_python_w = os.pipe()
        self._from_python_r, self._from_python_w = os.pipe()
        self.answer: Answer = answer or handles()
        self._hello = hello or {"hello": "hydro-deploy", "version": 1, "hosts": BUILTIN_HOST_KINDS}
        self._messages: "queue.Queue[Message]" = queue.Queue()
        self._write_lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def python_fds(self) -> Tuple[int, int]:
        """The Python side's ends: the fd it reads the deployer from, and the one it writes to."""
        return self._to_python_r, self._from_python_w

    def release_python_fds(self) -> None:
        """After handing the Python ends to a child process: this process keeps only its own."""
        os.close(self._to_python_r)
        os.close(self._from_python_w)

    def message(self, timeout: float = 5) -> Message:
        """The next message the Python side sent (hello first)."""
        return self._messages.get(timeout=timeout)

    def call(self, name: str, timeout: float = 5) -> Message:
        """The next message, which must be a call of ``name``."""
        message = self.message(timeout)
        if message.get("call") != name:
            raise AssertionError(f"expected a {name!r} call, got {message}")
        return message

    def no_message(self, within: float = 0.2) -> bool:
        try:
            unexpected = self._messages.get(timeout=within)
        except queue.Empty:
            return True
        raise AssertionError(f"expected no message, got {unexpected}")

    def reply(self, call: Message, answer: Message) -> None:
        self.send({"id": call["id"], **answer})

    def send(self, message: Message) -> None:
        with self._write_lock:
            if self._to_python_w < 0:
                return  # gone: as a real deployer's, its answers go nowhere
            os.write(self._to_python_w, (json.dumps(message) + "\n").encode())

    def go_away(self) -> None:
        """Closes the deployer → Python pipe, as a deployer that exits does."""
        with self._write_lock:
            if self._to_python_w >= 0:
                os.close(self._to_python_w)
                self._to_python_w = -1

    def close(self) -> None:
        self.go_away()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        with open(self._from_python_r, "rb") as from_python:
            hello = json.loads(from_python.readline())
            self._messages.put(hello)
            self.send(self._hello)
            for line in from_python:
                message = json.loads(line)
                self._messages.put(message)
                answer = self.answer(message) if "call" in message else None
                if answer is not None:
                    self.reply(message, answer)
