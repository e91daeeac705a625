"""
Declaring hosts, as a Deployment and a HostPool both do: every kind the deployer registered is a
method named as the kind says (``AwsMachine``); those here are typed sugar for the built-in kinds,
a plug-in's come from ``__getattr__``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Sequence

from . import _bridge
from ._calls import declare_host
from .hosts import Host


def _given(scope: Dict[str, Any]) -> Dict[str, Any]:
    """A declaration's keyword arguments, from its ``locals()`` at its first line, ``**more`` merged in."""
    options = {name: value for name, value in scope.items() if name not in ("self", "more")}
    return {**options, **scope.get("more", {})}


class HostDeclarer:
    """What declares hosts: its ``_handle`` is the deployer's Deployment or HostPool."""

    _handle: int

    def __getattr__(self, name: str) -> Callable[..., Host]:
        """A plug-in's host kind: ``deployment.SlowHost(delay_ms=…)``, as the deployer registered it."""
        if name.startswith("_") or name not in _bridge.current().host_kinds:
            known = ", ".join(sorted(_bridge.current().host_kinds)) if not name.startswith("_") else ""
            raise AttributeError(f"'{type(self).__name__}' has no attribute {name!r}" + (f" (host kinds: {known}; a plug-in's kind needs hydro --plugin)" if known else ""))
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
        """A GCE VM, created when first deployed to and deleted when released; ``type`` is its machine type (e2-small)."""
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
        """An EC2 VM, created when first deployed to and terminated when released; ``type`` is its instance type (t3.micro)."""
        return self._host("aws", _given(locals()))
