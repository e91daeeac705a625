"""Keyword arguments as the TS options they are (snake_case → camelCase), and back in error messages."""

from __future__ import annotations

import re
from typing import Any, Dict, Mapping, Optional, Tuple


def camel(name: str) -> str:
    """``ready_timeout_ms`` → ``readyTimeoutMs``."""
    first, *rest = name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def wire_options(options: Mapping[str, Any], aliases: Optional[Mapping[str, str]] = None) -> Tuple[Dict[str, Any], Dict[str, str]]:
    """
    The call's ``args`` (None means "not given", so it is left out), and, for every option name the
    call knows or was given, its TS name → the name the user writes, for error messages.
    ``aliases`` are the Python names that are not the TS name camelCased (``type`` → ``machineType``).
    """
    args: Dict[str, Any] = {}
    spoken: Dict[str, str] = {}
    for name, value in options.items():
        ts_name = (aliases or {}).get(name) or camel(name)
        if value is not None and ts_name in args:
            raise TypeError(f"{name}= and {spoken.get(ts_name, ts_name)}= are the same option: give one")
        if ts_name != name:
            spoken[ts_name] = name
        if value is not None:
            args[ts_name] = value
    return args, spoken


def restore_names(message: str, spoken: Mapping[str, str]) -> str:
    """The deployer's message with the call's TS option names replaced by the user's (whole words only)."""
    for ts_name, name in spoken.items():
        message = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(ts_name)}(?![A-Za-z0-9_])", name, message)
    return message
