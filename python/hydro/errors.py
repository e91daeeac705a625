"""The deployer's error classes, raised again on the Python side under the same names."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Type


class HydroError(Exception):
    """An error the user caused or can act on; its message says what is wrong and where."""


class ConfigError(HydroError):
    """The config is wrong: an option, a name, the wiring, a program that does not bundle."""


class HostError(HydroError):
    """A host could not be reached or prepared; ``host`` is its name in the config, when known."""

    def __init__(self, message: str, host: Optional[str] = None) -> None:
        super().__init__(message)
        self.host = host


class HostLostError(HostError):
    """A host stopped answering after launch: the deployment tears down."""


class ProgramFailedError(HydroError):
    """
    A program failed while being deployed; ``program`` is its name, when known. ``exit_code`` is its
    exit code (128 + signal number if a signal ended it), None if it still ran (it broke the
    handshake, or timed out); ``stderr_tail`` the last lines it wrote to stderr.
    """

    def __init__(self, message: str, program: Optional[str] = None, exit_code: Optional[int] = None, stderr_tail: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.program = program
        self.exit_code = exit_code
        self.stderr_tail = list(stderr_tail)


class TornDownError(HydroError):
    """Work given up because its deployment is being torn down (teardown, Ctrl-C, a lost host): cancellation, not failure."""


class CloudError(HydroError):
    """A cloud provider refused a call; ``code`` is the provider's own (VcpuLimitExceeded, …)."""

    def __init__(self, message: str, provider: str, code: str) -> None:
        super().__init__(message)
        self.provider = provider
        self.code = code


class BridgeError(HydroError):
    """The channel to the deployer failed: it went away, or it speaks another bridge version."""


#: What the deployer reports as these names. Its plain ``Error`` (and any name not here) is a HydroError.
DEPLOYER_ERRORS: Dict[str, Type[HydroError]] = {
    cls.__name__: cls for cls in (HydroError, ConfigError, HostError, HostLostError, ProgramFailedError, TornDownError, CloudError)
}


def error_from_reply(reply: Mapping[str, Any], message: str) -> HydroError:
    """The exception for a call's ``error`` answer, with ``message`` (the reply's, names restored)."""
    cls = DEPLOYER_ERRORS.get(str(reply.get("type")), HydroError)
    if issubclass(cls, CloudError):
        return cls(message, provider=str(reply.get("provider", "")), code=str(reply.get("code", "")))
    if issubclass(cls, HostError):
        return cls(message, host=reply.get("host"))
    if issubclass(cls, ProgramFailedError):
        return cls(message, program=reply.get("program"), exit_code=reply.get("exitCode"), stderr_tail=reply.get("stderrTail") or ())
    return cls(message)
