"""
Calls as the API makes them: each captures the user's line when it is made (so errors and relative
paths refer to it), and turns an ``error`` answer into the exception of its class.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import Any, Coroutine, Mapping, Optional

from . import _bridge
from ._options import restore_names, wire_options
from ._site import Site, caller_site
from .errors import error_from_reply


class Call:
    """One call on its way to the deployer."""

    def __init__(self, call: str, target: Optional[int], args: _bridge.Message, site: Optional[Site], spoken: Mapping[str, str]) -> None:
        self.site = site
        self._spoken = spoken
        self._future: Future[_bridge.Message] = _bridge.current().request(call, target, args, site)

    def wait(self) -> Any:
        """Blocks this thread until the answer: for declarations, which the deployer answers at once."""
        return self._result(self._future.result())

    async def answer(self) -> Any:
        return self._result(await asyncio.wrap_future(self._future))

    def _result(self, answer: _bridge.Message) -> Any:
        if "error" in answer:
            error = answer["error"]
            raise error_from_reply(error, restore_names(str(error.get("message", "")), self._spoken))
        return answer.get("ok")


def declare(call: str, target: Optional[int], options: Mapping[str, Any], aliases: Optional[Mapping[str, str]] = None) -> Any:
    """A declaration: sent and answered now, so a bad option raises at the user's line."""
    args, spoken = wire_options(options, aliases)
    return Call(call, target, args, caller_site(), spoken).wait()


def declare_host(target: int, kind: str, options: Mapping[str, Any]) -> Any:
    """A host of a kind the deployer registered; options that are handles (a jump host) are named, so the deployer resolves them."""
    registered = next((entry for entry in _bridge.current().host_kinds.values() if entry.get("kind") == kind), {})
    args, spoken = wire_options(options, registered.get("aliases"))
    handles = [name for name, value in args.items() if isinstance(value, _bridge.Wired)]
    return Call("host", target, {"kind": kind, "options": args, "handles": handles}, caller_site(), spoken).wait()


def start(call: str, target: Optional[int], args: _bridge.Message) -> Call:
    """Sent now, answered later: a stream, which starts at the call (lines from this call on)."""
    return Call(call, target, args, caller_site(), {})


def lifecycle(call: str, target: Optional[int], args: Optional[_bridge.Message] = None) -> Coroutine[Any, Any, Any]:
    """A coroutine that makes the call when awaited, reported at the line that called the method."""
    return _sent_when_awaited(call, target, args or {}, caller_site(), {})


def act(call: str, target: Optional[int], args: _bridge.Message, options: Mapping[str, Any]) -> Coroutine[Any, Any, Any]:
    """A lifecycle call with keyword options, sent as ``args["options"]`` in their TS names (and said back in the user's)."""
    wired, spoken = wire_options(options)
    return _sent_when_awaited(call, target, {**args, "options": wired}, caller_site(), spoken)


async def _sent_when_awaited(call: str, target: Optional[int], args: _bridge.Message, site: Optional[Site], spoken: Mapping[str, str]) -> Any:
    return await Call(call, target, args, site, spoken).answer()
