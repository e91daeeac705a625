"""Nodes of a deployment: services and processes (programs), and the script's own external end."""

from __future__ import annotations

from typing import Any, AsyncIterator, Callable, Coroutine, Dict, Generic, NamedTuple, Optional

from . import _streams
from ._bridge import Wired
from ._calls import declare, lifecycle, start
from .metrics import MetricSample
from .ports import P, ExternalPort, PortRef, Ports


class Address(NamedTuple):
    host: str
    port: int


class Node(Wired, Generic[P]):
    """Something with ports, declared on a Deployment; ``ports.<name>`` refers to one of them."""

    def __init__(self, deployment: int, handle: int, port: Callable[[Any, str], P]) -> None:
        self._deployment = deployment
        self._handle = handle
        self.ports: Ports[P] = Ports(self, port)

    def _wire(self) -> int:
        return self._handle

    def __repr__(self) -> str:
        return f"<hydro.{type(self).__name__} {self._handle}>"


class Program(Node[PortRef]):
    """A running service or process: its output, its exit, and stopping it."""

    def __init__(self, deployment: int, handle: int) -> None:
        super().__init__(deployment, handle, PortRef)

    def stdout(self) -> AsyncIterator[str]:
        """The lines it prints from this call on; the iteration ends when it exits."""
        return _streams.iterate(start("stdout", self._handle, {}), str)

    def stderr(self) -> AsyncIterator[str]:
        return _streams.iterate(start("stderr", self._handle, {}), str)

    def exit_code(self) -> Coroutine[Any, Any, int]:
        """Its exit code when it exits, or 128 + the signal number that ended it."""
        return lifecycle("exitCode", self._handle)

    def stop(self) -> Coroutine[Any, Any, None]:
        """Asks it to stop, kills it after the deployment's stop timeout; the rest runs on. It cannot be restarted after."""
        return lifecycle("stop", self._handle)

    def kill(self, signal: str = "SIGKILL") -> None:
        """Sends ``signal`` to it and everything it started, as a crash would end it (SIGKILL: no on_stop); the rest runs on."""
        declare("kill", self._handle, {"signal": signal})

    def pause(self) -> None:
        """Freezes it (SIGSTOP to its process group) until ``resume()``."""
        declare("pause", self._handle, {})

    def resume(self) -> None:
        """Lets a paused program run on (SIGCONT)."""
        declare("resume", self._handle, {})

    def restart(self) -> Coroutine[Any, Any, None]:
        """Starts it again on the same host with the same port addresses (a run still going is stopped first)."""
        return lifecycle("restart", self._handle)

    def metrics(self) -> Optional[MetricSample]:
        """Its latest metrics sample (CPU, RSS, port counters), or None before the first (a second after it starts)."""
        sample = declare("metrics", self._handle, {})
        return None if sample is None else MetricSample.of(sample)

    @property
    def restarts(self) -> int:
        """How many times ``restart()`` has started it again."""
        return int(declare("restarts", self._handle, {}))


class Service(Program):
    """A TS/JS program that imports ``hydro-deploy/runtime``, bundled by the deployer."""


class Process(Program):
    """Any other command; its declared ports have addresses."""

    def address(self, port: str) -> Address:
        """Where its server port ``port`` listens (after ``deploy()``)."""
        answer = declare("address", self._handle, {"port": port})
        return Address(host=answer["host"], port=answer["port"])


class Cluster(Node[PortRef]):
    """
    ``count`` members of one program, ``members[i]`` a Service named ``<name>.<i>``. Its ports wire
    every member at once: sending to ``cluster.ports.x`` reaches one member by id (``to=str(id)``),
    ``cluster.ports.x`` sending to a port is a merge whose sender is the member's name.
    """

    def __init__(self, deployment: int, declared: Dict[str, Any]) -> None:
        super().__init__(deployment, int(declared["cluster"]), PortRef)
        self.members = [Service(deployment, int(handle)) for handle in declared["members"]]

    @property
    def size(self) -> int:
        return len(self.members)


class External(Node[ExternalPort]):
    """Ports held by the script itself; ``ports.<name>`` are ExternalPorts to send on and iterate."""

    def __init__(self, deployment: int, handle: int) -> None:
        super().__init__(deployment, handle, ExternalPort)
        #: Per port, its messages once a loop has begun (ports.py _Receiver).
        self._receivers: Dict[str, Any] = {}
