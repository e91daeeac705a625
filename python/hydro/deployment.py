"""
Deployment: the seed's API over the TS one. Declarations are sent and answered at once (a bad option
raises at the line that wrote it); ``deploy()`` and ``teardown()`` are awaited. Options are
keyword-only and snake_case, sent as the TS options (``ready_timeout_ms`` → ``readyTimeoutMs``); an
option left ``None`` is not given. ``**more`` passes further TS options the same way; the deployer
checks them all.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Coroutine, Mapping, Optional, Sequence, Union

from . import _streams, nodes
from ._calls import declare, lifecycle, start
from ._declarer import HostDeclarer, _given
from .host_pool import HostPool
from .hosts import Host
from .metrics import MetricSample
from .network import Network


class Deployment(HostDeclarer):
    """
    A set of hosts and the programs on them, deployed together and torn down together. ``hosts`` is
    a HostPool whose hosts it may use besides its own: they outlive it.
    """

    def __init__(
        self,
        *,
        name: Optional[str] = None,
        ready_timeout_ms: Optional[int] = None,
        stop_timeout_ms: Optional[int] = None,
        heartbeat_ms: Optional[int] = None,
        metrics_interval_ms: Optional[int] = None,
        hosts: Optional[HostPool] = None,
        **more: Any,
    ) -> None:
        self._handle: int = declare("deployment.new", None, _given(locals()))
        #: Faults on the running deployment's ports: ``await deployment.network.partition(a, b)``, ``heal()``, …
        self.network = Network(self._handle)

    # Nodes

    def Service(
        self,
        *,
        src: str,
        on: Host,
        args: Optional[Sequence[str]] = None,
        env: Optional[Mapping[str, str]] = None,
        name: Optional[str] = None,
        profile: Optional[bool] = None,
        **more: Any,
    ) -> nodes.Service:
        """A TS/JS program that imports ``hydro-deploy/runtime``, or a ``.hf`` program; a relative ``src`` is relative to this file."""
        return nodes.Service(self._handle, declare("service", self._handle, _given(locals())))

    #: The seed's name for a service written in Hydroflow's surface syntax (``src`` a ``.hf`` file): ``Service`` itself.
    Hydroflow = Service

    def Cluster(
        self,
        *,
        src: str,
        on: Union[Host, Sequence[Host]],
        count: int,
        args: Optional[Sequence[str]] = None,
        env: Optional[Mapping[str, str]] = None,
        name: Optional[str] = None,
        profile: Optional[bool] = None,
        **more: Any,
    ) -> nodes.Cluster:
        """``count`` members of one TS/JS program, spread over ``on`` (a host or a list) round-robin; each reads its id from ``self()``."""
        return nodes.Cluster(self._handle, declare("cluster", self._handle, _given(locals())))

    def Process(
        self,
        *,
        command: Union[str, Sequence[str]],
        on: Host,
        ports: Optional[Mapping[str, int]] = None,
        env: Optional[Mapping[str, str]] = None,
        name: Optional[str] = None,
        stop_timeout_ms: Optional[int] = None,
        **more: Any,
    ) -> nodes.Process:
        """
        Any other command (a string for ``sh -c``, or argv). ``ports={"main": 0}`` declares its ports
        (0: a free one); ``{port:main}``, ``{host:main}``, ``{addr:main}`` in it are replaced.
        """
        return nodes.Process(self._handle, declare("process", self._handle, _given(locals())))

    def External(self, *, name: Optional[str] = None) -> nodes.External:
        """Ports held by this script: wire them like any, then send on them and iterate them."""
        return nodes.External(self._handle, declare("external", self._handle, {"name": name}))

    # Lifecycle

    def deploy(self) -> Coroutine[Any, Any, None]:
        """Checks everything, starts it and wires it; on any failure tears down what it started and raises."""
        return lifecycle("deploy", self._handle)

    def metrics(self) -> AsyncIterator[MetricSample]:
        """Every program's metrics samples from this call on (each program's every ``metrics_interval_ms``); ends at teardown."""
        return _streams.iterate(start("deployment.metrics", self._handle, {}), MetricSample.of)

    def teardown(self) -> Coroutine[Any, Any, None]:
        """Stops every program and releases every host; also done when main() returns or raises."""
        return lifecycle("teardown", self._handle)
