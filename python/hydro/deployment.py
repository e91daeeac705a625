"""
Deployment: the seed's API over the TS one. Declarations are sent and answered at once (a bad option
raises at the line that wrote it); ``deploy()`` and ``teardown()`` are awaited. Options are
keyword-only and snake_case, sent as the TS options (``ready_timeout_ms`` → ``readyTimeoutMs``); an
option left ``None`` is not given. ``**more`` passes further TS options the same way; the deployer
checks them all.
"""

from __future__ import annotations

from typing import Any, Callable, Coroutine, Dict, Mapping, Optional, Sequence, Union

from . import _bridge, nodes
from ._calls import declare, declare_host, lifecycle
from .hosts import Host
from .network import Network


def _given(scope: Dict[str, Any]) -> Dict[str, Any]:
    """A declaration's keyword arguments, from its ``locals()`` at its first line, ``**more`` merged in."""
    options = {name: value for name, value in scope.items() if name not in ("self", "more")}
    return {**options, **scope.get("more", {})}


class Deployment:
    """A set of hosts and the programs on them, deployed together and torn down together."""

    def __init__(
        self,
        *,
        name: Optional[str] = None,
        ready_timeout_ms: Optional[int] = None,
        stop_timeout_ms: Optional[int] = None,
        heartbeat_ms: Optional[int] = None,
        **more: Any,
    ) -> None:
        self._handle: int = declare("deployment.new", None, _given(locals()))
        #: Faults on the running deployment's ports: ``await deployment.network.partition(a, b)``, ``heal()``, …
        self.network = Network(self._handle)

    # Hosts: every kind the deployer registered is a method named as the kind says (``AwsMachine``);
    # those below are typed sugar for the built-in kinds, a plug-in's come from __getattr__.

    def __getattr__(self, name: str) -> Callable[..., Host]:
        """A plug-in's host kind: ``deployment.SlowHost(delay_ms=…)``, as the deployer registered it."""
        if name.startswith("_") or name not in _bridge.current().host_kinds:
            known = ", ".join(sorted(_bridge.current().host_kinds)) if not name.startswith("_") else ""
            raise AttributeError(f"'Deployment' has no attribute {name!r}" + (f" (host kinds: {known}; a plug-in's kind needs hydro --plugin)" if known else ""))
        kind = str(_bridge.current().host_kinds[name]["kind"])

        def host(**options: Any) -> Host:
            return Host(declare_host(self._handle, kind, options))

        host.__name__ = name
        return host

    def _host(self, kind: str, options: Dict[str, Any]) -> Host:
        return Host(declare_host(self._handle, kind, options))

    def Localhost(self) -> Host:
        """The machine ``hydro run`` runs on."""
        return self._host("localhost", {})

    def Ssh(
        self,
        *,
        host: str,
        user: Optional[str] = None,
        port: Optional[int] = None,
        private_key_path: Optional[str] = None,
        private_key: Optional[str] = None,
        agent: Optional[str] = None,
        host_key: Optional[str] = None,
        jump: Optional[Host] = None,
        connect_attempts: Optional[int] = None,
        network: Optional[str] = None,
        name: Optional[str] = None,
        **more: Any,
    ) -> Host:
        """A machine reached over SSH; ``jump`` is another Ssh host to reach it through."""
        return self._host("ssh", _given(locals()))

    def GcpMachine(
        self,
        *,
        project: str,
        type: str,
        zone: Optional[str] = None,
        zones: Optional[Sequence[str]] = None,
        image: Optional[str] = None,
        user: Optional[str] = None,
        network: Optional[str] = None,
        spot: Optional[bool] = None,
        labels: Optional[Mapping[str, str]] = None,
        public_ip: Optional[bool] = None,
        ssh_from: Optional[str] = None,
        idle_shutdown_minutes: Optional[float] = None,
        name: Optional[str] = None,
        **more: Any,
    ) -> Host:
        """A GCE VM, created at deploy() and deleted at teardown; ``type`` is its machine type (e2-small)."""
        return self._host("gcp", _given(locals()))

    def AwsMachine(
        self,
        *,
        region: str,
        type: str,
        ami: Optional[str] = None,
        user: Optional[str] = None,
        subnet: Optional[str] = None,
        spot: Optional[bool] = None,
        tags: Optional[Mapping[str, str]] = None,
        root_volume_gb: Optional[int] = None,
        public_ip: Optional[bool] = None,
        ssh_from: Optional[str] = None,
        idle_shutdown_minutes: Optional[float] = None,
        name: Optional[str] = None,
        **more: Any,
    ) -> Host:
        """An EC2 VM, created at deploy() and terminated at teardown; ``type`` is its instance type (t3.micro)."""
        return self._host("aws", _given(locals()))

    # Nodes

    def Service(
        self,
        *,
        src: str,
        on: Host,
        args: Optional[Sequence[str]] = None,
        env: Optional[Mapping[str, str]] = None,
        name: Optional[str] = None,
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

    def teardown(self) -> Coroutine[Any, Any, None]:
        """Stops every program and releases every host; also done when main() returns or raises."""
        return lifecycle("teardown", self._handle)
