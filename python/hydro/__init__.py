"""
hydro: Python config scripts for hydro-deploy (``hydro run x.hydro.py``). The TypeScript deployer
does the work; this package turns the script's calls into messages to it (docs/python-bridge.md).
"""

from .deployment import Deployment
from .errors import BridgeError, CloudError, ConfigError, HostError, HostLostError, HydroError, ProgramFailedError, TornDownError
from .host_pool import HostPool
from .hosts import Host
from .metrics import MetricSample
from .network import EdgeCounts, Fault, Network
from .nodes import Address, Cluster, External, Node, Process, Program, Service
from .ports import ExternalPort, PortRef, Ports, Received

__all__ = [
    "Address",
    "BridgeError",
    "CloudError",
    "Cluster",
    "ConfigError",
    "Deployment",
    "EdgeCounts",
    "External",
    "ExternalPort",
    "Fault",
    "Host",
    "HostError",
    "HostLostError",
    "HostPool",
    "HydroError",
    "MetricSample",
    "Network",
    "Node",
    "PortRef",
    "Ports",
    "Process",
    "ProgramFailedError",
    "Program",
    "Received",
    "Service",
    "TornDownError",
]
