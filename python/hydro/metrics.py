"""A program's metrics, as the deployer samples them (README: Metrics)."""

from __future__ import annotations

from typing import Any, Dict, Mapping, NamedTuple


class MetricSample(NamedTuple):
    """
    One program's metrics at one moment: ``cpu`` over the last interval as a share of one core,
    ``rss`` in bytes, and each port's counters since the run started (``ports["inbound"]["messages"]``).
    """

    program: str
    run: int
    #: When the deployer got it, ms since the epoch.
    at: float
    cpu: float
    rss: int
    ports: Dict[str, Dict[str, Any]]

    @staticmethod
    def of(sample: Mapping[str, Any]) -> "MetricSample":
        return MetricSample(sample["program"], sample["run"], sample["at"], sample["cpu"], sample["rss"], dict(sample["ports"]))
