"""
Port references: ``node.ports.<name>`` (or ``node.ports["in"]`` for a name Python reserves). They
are made here without asking the deployer, which checks them when they are wired or used.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any, Deque, AsyncIterator, Callable, Coroutine, Dict, Generic, Mapping, NamedTuple, Optional, Sequence, TypeVar, Union

from . import _streams
from ._bridge import Wired
from ._calls import Call, declare, lifecycle, start

if TYPE_CHECKING:
    from .nodes import External, Node


class PortRef(Wired):
    """One named port of a service, process or external node."""

    def __init__(self, node: Node[Any], name: str) -> None:
        self.node = node
        self.name = name

    def _wire(self) -> Dict[str, Any]:
        return {"node": self.node._handle, "port": self.name}

    def connect(self, receiver: PortRef) -> None:
        """Direct: everything sent on this port arrives at ``receiver`` (several senders to one: a merge)."""
        declare("connect", self.node._deployment, {"from": self, "to": receiver})

    def demux(self, receivers: Union[Sequence[PortRef], Mapping[str, PortRef]]) -> None:
        """
        Each message goes to the receiver its ``to`` names: the receiving node's name for a list,
        the key for a mapping.
        """
        to = dict(receivers) if isinstance(receivers, Mapping) else list(receivers)
        declare("demux", self.node._deployment, {"from": self, "to": to})

    def __repr__(self) -> str:
        return f"<hydro port {self.name!r} of node {self.node._handle}>"


class Received(NamedTuple):
    """A message that reached an external port: who sent it (the sender's node name) and what."""

    sender: str
    data: Any


def _received(item: Dict[str, Any]) -> Received:
    return Received(sender=item["from"], data=item["data"])


class ExternalPort(PortRef):
    """A port the script itself holds: after ``deploy()``, ``await port.send(…)`` and ``async for msg in port``."""

    node: External

    def send(self, data: Any, to: Optional[str] = None) -> Coroutine[Any, Any, None]:
        """Sends ``data`` (anything JSON); ``to`` picks the receiver on a demux."""
        args: Dict[str, Any] = {"port": self.name, "data": data}
        if to is not None:
            args["to"] = to
        return lifecycle("send", self.node._handle, args)

    def broadcast(self, data: Any) -> Coroutine[Any, Any, None]:
        """Sends ``data`` to every receiver of the port (every member of a cluster it is connected to)."""
        return lifecycle("broadcast", self.node._handle, {"port": self.name, "data": data})

    def __aiter__(self) -> AsyncIterator[Received]:
        # The port's one deployer stream is opened by the first loop, so every message from then on
        # is kept; later loops share it (and what an earlier loop left of a batch).
        receiver = self.node._receivers.get(self.name)
        if receiver is None:
            receiver = self.node._receivers[self.name] = _Receiver(start("receive", self.node._handle, {"port": self.name}))
        return receiver.messages()


class _Receiver:
    """
    An external port's messages, fetched a batch at a time and queued here. A loop that is left
    (``break``) leaves the rest in the queue for the next one: Python closes an abandoned async
    generator only when it is collected, too late to hand its batch on, so there is none here.
    """

    def __init__(self, opened: Call) -> None:
        self._opened = opened
        self._stream: Optional[int] = None
        self._queued: Deque[Received] = collections.deque()
        self._done = False

    def messages(self) -> AsyncIterator[Received]:
        return _Messages(self)

    async def next(self) -> Received:
        while not self._queued:
            if self._done:
                raise StopAsyncIteration
            if self._stream is None:
                self._stream = await self._opened.answer()
            batch = await Call("next", self._stream, {}, self._opened.site, {}).answer()
            if batch.get("done"):
                self._done = True
            else:
                self._queued.extend(_received(item) for item in batch["items"])
        return self._queued.popleft()


class _Messages:
    """One ``async for`` over a port: an iterator, not a generator, so leaving it needs no closing."""

    def __init__(self, receiver: _Receiver) -> None:
        self._receiver = receiver

    def __aiter__(self) -> _Messages:
        return self

    def __anext__(self) -> Coroutine[Any, Any, Received]:
        return self._receiver.next()


#: The kind of port a node's ``ports`` make: PortRef, or ExternalPort on an External.
P = TypeVar("P", bound=PortRef)


class Ports(Generic[P]):
    """``node.ports.inbound`` / ``node.ports["inbound"]``: a reference to the node's port of that name."""

    def __init__(self, node: Node[Any], make: Callable[[Any, str], P]) -> None:
        self._node = node
        self._make = make

    def __getattr__(self, name: str) -> P:
        if name.startswith("__"):
            # Python probes objects for special methods (copy, pickle, …): those are not port names.
            raise AttributeError(name)
        return self._make(self._node, name)

    def __getitem__(self, name: str) -> P:
        return self._make(self._node, name)
