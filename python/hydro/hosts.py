"""Hosts: where programs run. The deployer holds them; a Host is its handle."""

from __future__ import annotations

from typing import Any, Coroutine

from ._bridge import Wired
from ._calls import lifecycle


class Host(Wired):
    """A machine of a Deployment: ``deployment.Localhost()``, ``Ssh(…)``, ``GcpMachine(…)``, ``AwsMachine(…)``."""

    def __init__(self, handle: int) -> None:
        self._handle = handle

    def _wire(self) -> int:
        return self._handle

    def terminate(self) -> Coroutine[Any, Any, None]:
        """Stops everything on this host and releases it (a cloud VM is deleted) before the rest of the deployment."""
        return lifecycle("terminate", self._handle)

    def __repr__(self) -> str:
        return f"<hydro.Host {self._handle}>"
