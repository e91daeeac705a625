"""
The channel to the deployer (docs/python-bridge.md): one JSON message per line, calls out on one
fd, answers back on the other. A reader thread hands each answer to the future of the call with its
id, so a declaration can wait for its answer synchronously while lifecycle calls are awaited.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import threading
from concurrent.futures import Future
from typing import Any, BinaryIO, Callable, Dict, Mapping, Optional, Sequence

from ._site import Site
from .errors import BridgeError

VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

Message = Dict[str, Any]


class Wired:
    """An object the deployer knows by what ``_wire()`` returns (a handle, a port reference)."""

    def _wire(self) -> Any:
        raise NotImplementedError


def _to_json(value: Any) -> Any:
    if isinstance(value, Wired):
        return value._wire()
    # A Mapping such as os.environ, or a Sequence that is not a list (a tuple is JSON already).
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON: give dicts, lists, str, int, float, bool or None")


def encode(message: Message) -> bytes:
    # allow_nan=False: NaN and Infinity are not JSON, and the deployer's JSON.parse refuses them.
    line = json.dumps(message, default=_to_json, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    if len(line) > MAX_MESSAGE_BYTES:
        # A ValueError like json's own: the user's data is at fault, reported with the script's line.
        limit = MAX_MESSAGE_BYTES // (1024 * 1024)
        raise ValueError(f"{message.get('call', 'message')}(): {len(line)} bytes of JSON, over the bridge's {limit} MiB per message")
    return line + b"\n"


class Bridge:
    """Both ends of the channel on this side; made with ``Bridge.connect``, which shakes hands first."""

    def __init__(self, read_fd: int, write_fd: int, on_close: Optional[Callable[[], None]]) -> None:
        # The bridge owns both fds: it closes them once the deployer has gone.
        self._reader: BinaryIO = open(read_fd, "rb")
        self._writer: BinaryIO = open(write_fd, "wb")
        self._write_lock = threading.Lock()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._pending: Dict[int, Future[Message]] = {}
        self._closed: Optional[str] = None
        self._on_close = on_close
        #: The host kinds the deployer has registered (its own and its plug-ins'), by Python constructor
        #: name: ``{"kind": "aws", "constructor": "AwsMachine", "aliases": {"type": "instanceType"}}``.
        self.host_kinds: Dict[str, Message] = {}

    @classmethod
    def connect(cls, read_fd: int, write_fd: int, on_close: Optional[Callable[[], None]] = None) -> Bridge:
        """Sends hello, checks the deployer's, then starts reading answers. ``on_close`` runs when the deployer has gone."""
        bridge = cls(read_fd, write_fd, on_close)
        try:
            bridge._shake_hands()
        except BridgeError as error:
            bridge._close(str(error))
            raise
        threading.Thread(target=bridge._read_answers, name="hydro-bridge-reader", daemon=True).start()
        return bridge

    def _shake_hands(self) -> None:
        self.notify({"hello": "hydro-python", "version": VERSION, "python": "%d.%d.%d" % sys.version_info[:3]})
        hello = self._read()
        if hello is None:
            raise BridgeError("the deployer closed the bridge before answering hello")
        if hello.get("error"):
            raise BridgeError(str(hello["error"]))
        if hello.get("hello") != "hydro-deploy":
            raise BridgeError(f"the deployer's first message is not its hello: {json.dumps(hello)[:200]}")
        if hello.get("version") != VERSION:
            raise BridgeError(f"the deployer speaks bridge version {hello.get('version')}, this hydro package {VERSION}")
        self.host_kinds = {str(kind["constructor"]): kind for kind in hello.get("hosts", [])}

    def request(self, call: str, target: Optional[int], args: Message, site: Optional[Site]) -> Future[Message]:
        """Sends a call; the future gets its answer message (``ok`` or ``error``), or BridgeError."""
        with self._lock:
            if self._closed is not None:
                raise BridgeError(self._closed)
            call_id = next(self._ids)
            future: Future[Message] = Future()
            # Running: once sent, a call cannot be taken back, so a cancelled awaiter must not cancel it.
            future.set_running_or_notify_cancel()
            self._pending[call_id] = future
        message: Message = {"id": call_id, "call": call, "args": args}
        if target is not None:
            message["target"] = target
        if site is not None:
            message["site"] = site
        try:
            self.notify(message)
        except BaseException:
            with self._lock:
                self._pending.pop(call_id, None)
            raise
        return future

    def notify(self, message: Message) -> None:
        """Sends a message that has no answer (hello, done, failed)."""
        line = encode(message)
        with self._write_lock:
            if self._writer.closed:
                raise BridgeError(str(self._closed))
            try:
                self._writer.write(line)
                self._writer.flush()
            except OSError as error:
                raise BridgeError(f"the deployer went away (writing to the bridge: {error.strerror or error})") from None

    def _read(self) -> Optional[Message]:
        """The next message, or None at the end of the channel (or a last line cut short by it)."""
        line = self._reader.readline(MAX_MESSAGE_BYTES + 1)
        if not line.endswith(b"\n"):
            if len(line) > MAX_MESSAGE_BYTES:
                raise BridgeError(f"the deployer sent a message longer than {MAX_MESSAGE_BYTES} bytes")
            return None
        try:
            message = json.loads(line)
        except ValueError:
            raise BridgeError(f"the deployer sent a line that is not JSON: {line[:80]!r}") from None
        if not isinstance(message, dict):
            raise BridgeError(f"the deployer sent a line that is not a JSON object: {line[:80]!r}")
        return message

    def _read_answers(self) -> None:
        reason = "the deployer went away (it closed the bridge)"
        try:
            while True:
                message = self._read()
                if message is None:
                    break
                call_id = message.get("id")
                with self._lock:
                    future = self._pending.pop(call_id, None) if isinstance(call_id, int) else None
                # A message no call is waiting for is dropped: the contract has no other kind.
                if future is not None:
                    future.set_result(message)
        except (BridgeError, OSError) as error:
            reason = str(error)
        finally:
            self._close(reason)

    def _close(self, reason: str) -> None:
        with self._lock:
            self._closed = reason
            pending, self._pending = self._pending, {}
        for future in pending.values():
            future.set_exception(BridgeError(reason))
        self._reader.close()
        with self._write_lock:
            try:
                self._writer.close()
            except OSError:
                pass  # what was still buffered had nobody to read it
        if self._on_close is not None:
            self._on_close()


_current: Optional[Bridge] = None


def install(bridge: Optional[Bridge]) -> None:
    """Makes ``bridge`` the one every Deployment talks through (hydro._run, and tests)."""
    global _current
    _current = bridge


def current() -> Bridge:
    if _current is None:
        raise BridgeError("no deployer to talk to: run the script with `hydro run script.hydro.py`")
    return _current


def from_environment(on_close: Optional[Callable[[], None]] = None) -> Bridge:
    """The bridge ``HYDRO_BRIDGE=3,4`` names: the fd to read the deployer from, then the one to write to it."""
    value = os.environ.get("HYDRO_BRIDGE")
    if not value:
        raise BridgeError("HYDRO_BRIDGE is not set: run the script with `hydro run script.hydro.py`")
    try:
        read_fd, write_fd = (int(fd) for fd in value.split(","))
    except ValueError:
        raise BridgeError(f"HYDRO_BRIDGE={value!r}: expected two fds, e.g. 3,4") from None
    return Bridge.connect(read_fd, write_fd, on_close)
