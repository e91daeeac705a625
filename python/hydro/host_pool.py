"""HostPool: hosts declared once and kept from one deployment to the next (README "Host pools")."""

from __future__ import annotations

from typing import Any, Coroutine, Optional

from ._bridge import Wired
from ._calls import declare, lifecycle
from ._declarer import HostDeclarer


class HostPool(HostDeclarer, Wired):
    """
    Hosts that outlive a deployment: declare them here (``pool.AwsMachine(…)``), give the pool to
    each ``Deployment(hosts=pool)`` in turn, one at a time; they are launched by the first and kept
    (a VM boots once) until ``await pool.release()``, or the script's end, an error or Ctrl-C.
    """

    def __init__(self, *, name: Optional[str] = None) -> None:
        self._handle: int = declare("pool.new", None, {"name": name})

    def _wire(self) -> int:
        return self._handle

    def release(self) -> Coroutine[Any, Any, None]:
        """Tears down the deployment using the hosts, if one is, then releases every host (a cloud VM is deleted)."""
        return lifecycle("release", self._handle)

    def __repr__(self) -> str:
        return f"<hydro.HostPool {self._handle}>"
