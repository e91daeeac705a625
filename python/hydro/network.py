"""
Network faults on a running deployment (``deployment.network``): the TS ``d.network`` over the
bridge. Each call is awaited and returns once every sender it touches applies it; options are
keyword-only and snake_case (``both_ways``, ``jitter_ms``), as everywhere.
"""

from __future__ import annotations

from typing import Any, Coroutine, Dict, List, NamedTuple, Optional, Sequence, Union

from ._calls import act, lifecycle
from .nodes import Node

#: A program (a service, ``cluster.members[i]``), a whole cluster, an External, or a list of them.
Group = Union[Node[Any], Sequence[Node[Any]]]


class Fault:
    """One fault set on the network: ``kind`` (partition, delay, loss), what it acts on, and when it took effect."""

    def __init__(self, answer: Dict[str, Any]) -> None:
        self._handle = int(answer["handle"])
        self.kind: str = answer["kind"]
        self.description: str = answer["description"]
        #: The seed of its random draws (loss, jitter); None for a partition.
        self.seed: Optional[int] = answer.get("seed")
        #: When it took effect at every sender, ms since the epoch.
        self.set_at: float = answer["setAt"]

    def clear(self) -> Coroutine[Any, Any, None]:
        """Removes it; returns once no sender applies it. Clearing a cleared fault does nothing."""
        return lifecycle("fault.clear", self._handle)

    def __repr__(self) -> str:
        return f"<hydro.Fault {self.description!r}>"


class EdgeCounts(NamedTuple):
    """What the faults did on one edge: the sending program and port, the receiving ones, messages dropped and delayed."""

    sender: str
    port: str
    receiver: str
    receiver_port: str
    dropped: int
    delayed: int


def _group(group: Group, which: str) -> Union[Node[Any], List[Node[Any]]]:
    """A group as the bridge sends it (handles): each member checked here, since a plain int would pass for a handle."""
    members = list(group) if isinstance(group, (list, tuple)) else [group]
    for member in members:
        if not isinstance(member, Node):
            raise TypeError(f"{which}: expected a program, a cluster or an External (or a list of them), got {type(member).__name__} {member!r}")
    return members if isinstance(group, (list, tuple)) else group


class Network:
    """``deployment.network``: partition, delay, loss, heal, counts."""

    def __init__(self, deployment: int) -> None:
        self._deployment = deployment

    async def partition(self, a: Group, b: Group, *, both_ways: Optional[bool] = None) -> Fault:
        """Cuts every hydro port between ``a`` and ``b`` (``both_ways=False``: only what ``a`` sends to ``b``)."""
        return Fault(await act("network.partition", self._deployment, {"a": _group(a, "partition(): first group"), "b": _group(b, "partition(): second group")}, {"both_ways": both_ways}))

    async def delay(
        self, a: Group, b: Group, *, ms: float, jitter_ms: Optional[float] = None, seed: Optional[int] = None, both_ways: Optional[bool] = None
    ) -> Fault:
        """Each message ``a`` sends to ``b`` waits ``ms`` plus up to ``jitter_ms`` more, in order."""
        options = {"ms": ms, "jitter_ms": jitter_ms, "seed": seed, "both_ways": both_ways}
        groups = {"a": _group(a, "delay(): first group"), "b": _group(b, "delay(): second group")}
        return Fault(await act("network.delay", self._deployment, groups, options))

    async def loss(self, a: Group, b: Group, *, p: float, seed: Optional[int] = None, both_ways: Optional[bool] = None) -> Fault:
        """Drops each message ``a`` sends to ``b`` with probability ``p``."""
        groups = {"a": _group(a, "loss(): first group"), "b": _group(b, "loss(): second group")}
        return Fault(await act("network.loss", self._deployment, groups, {"p": p, "seed": seed, "both_ways": both_ways}))

    def heal(self) -> Coroutine[Any, Any, None]:
        """Clears every fault."""
        return lifecycle("network.heal", self._deployment)

    async def counts(self) -> List[EdgeCounts]:
        """Per edge any fault covered: messages dropped and delayed, over every run of its sender."""
        edges = await lifecycle("network.counts", self._deployment)
        return [EdgeCounts(e["from"], e["port"], e["to"], e["toPort"], e["dropped"], e["delayed"]) for e in edges]
