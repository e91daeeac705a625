"""A deployer-side stream (a program's output lines, an external port's messages), read in batches."""

from __future__ import annotations

from typing import Any, AsyncIterator, Callable, TypeVar

from . import _bridge
from ._calls import Call
from .errors import BridgeError

T = TypeVar("T")


async def iterate(opened: Call, item: Callable[[Any], T]) -> AsyncIterator[T]:
    """
    Yields what the stream that ``opened`` made carries, one ``next`` call per batch, until ``done``;
    its calls carry the site of the call that opened it. Leaving early (``break``: asyncio then
    closes this generator) sends ``close``, unanswered: nothing waits for the deployer to let go.
    """
    stream: int = await opened.answer()
    finished = False
    try:
        while True:
            batch = await Call("next", stream, {}, opened.site, {}).answer()
            if batch.get("done"):
                finished = True
                return
            for value in batch["items"]:
                yield item(value)
    finally:
        if not finished:
            try:
                _bridge.current().request("close", stream, {}, opened.site)
            except BridgeError:
                pass  # the deployer is gone, and the stream with it
