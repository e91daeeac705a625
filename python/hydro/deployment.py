"""
Deployment: the seed's API over the TS one. Declarations are sent and answered at once (a bad option
raises at the line that wrote it); ``deploy()`` and ``teardown()`` are awaited. Options are
keyword-only and snake_case, sent as the TS options (``ready_timeout_ms`` → ``readyTimeoutMs``); an
option left ``None`` is not given. ``**more`` passes further TS options the same way; the deployer
checks them all.
"""

from __future__ import annotations

from typing import Any, Coroutine, Dict, List, Mapping, Optional, Sequence, Union

from . import nodes
from ._calls import declare, lifecycle
from .hosts import Host


def _list(values: Optional[Sequence[Any]]) -> Optional[List[Any]]:
    return None if values is None else list(values)


def _dict(values: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    # dict(): a Mapping such as os.environ is not JSON as it is.
    return None if values is None else dict(values)


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
        options = {"name": name, "ready_timeout_ms": ready_timeout_ms, "stop_timeout_ms": stop_timeout_ms, "heartbeat_ms": heartbeat_ms}
        self._handle: int = declare("deployment.new", None, {**options, **more})

    # Hosts

    def Localhost(self) -> Host:
        """The machine ``hydro run`` runs on."""
        return Host(declare("localhost", self._handle, {}))

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
        options = {
            "host": host,
            "user": user,
            "port": port,
            "private_key_path": private_key_path,
            "private_key": private_key,
            "agent": agent,
            "host_key": host_key,
            "jump": jump,
            "connect_attempts": connect_attempts,
            "network": network,
            "name": name,
        }
        return Host(declare("ssh", self._handle, {**options, **more}))

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
        options = {
            "project": project,
            "type": type,
            "zone": zone,
            "zones": _list(zones),
            "image": image,
            "user": user,
            "network": network,
            "spot": spot,
            "labels": _dict(labels),
            "public_ip": public_ip,
            "ssh_from": ssh_from,
            "idle_shutdown_minutes": idle_shutdown_minutes,
            "name": name,
        }
        return Host(declare("gcp", self._handle, {**options, **more}, aliases={"type": "machineType"}))

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
        options = {
            "region": region,
            "type": type,
            "ami": ami,
            "user": user,
            "subnet": subnet,
            "spot": spot,
            "tags": _dict(tags),
            "root_volume_gb": root_volume_gb,
            "public_ip": public_ip,
            "ssh_from": ssh_from,
            "idle_shutdown_minutes": idle_shutdown_minutes,
            "name": name,
        }
        return Host(declare("aws", self._handle, {**options, **more}, aliases={"type": "instanceType"}))

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
        """A TS/JS program that imports ``hydro-deploy/runtime``; a relative ``src`` is relative to this file."""
        options = {"src": src, "on": on, "args": _list(args), "env": _dict(env), "name": name}
        return nodes.Service(self._handle, declare("service", self._handle, {**options, **more}))

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
        options = {
            "command": command if isinstance(command, str) else list(command),
            "on": on,
            "ports": _dict(ports),
            "env": _dict(env),
            "name": name,
            "stop_timeout_ms": stop_timeout_ms,
        }
        return nodes.Process(self._handle, declare("process", self._handle, {**options, **more}))

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
