"""
``python3 -m hydro._run script.py args…``: how ``hydro run x.hydro.py -- args…`` runs a script
(docs/python-bridge.md). Loads it, runs its ``main(args)`` (or ``main()``) with asyncio, and tells
the deployer how it ended: ``done``, or ``failed`` with the exception.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import os
import re
import signal
import sys
import threading
import traceback
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import _bridge
from ._site import in_package, in_python, raise_site
from .errors import DEPLOYER_ERRORS, BridgeError, HydroError

#: How long the script may go on once the deployer has gone (its pending calls raise BridgeError meanwhile).
EXIT_AFTER_DEPLOYER_GONE_S = 1.0


def main(argv: Sequence[str]) -> int:
    if not argv:
        print("usage: python3 -m hydro._run script.py [args…] (hydro run starts it)", file=sys.stderr)
        return 2
    # Ctrl-C reaches this process too (one process group): the deployer tears down, then ends it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        bridge = _bridge.from_environment(on_close=_exit_soon)
    except BridgeError as error:
        print(f"hydro: {error}", file=sys.stderr)
        return 2
    _bridge.install(bridge)
    try:
        run_script(os.path.abspath(argv[0]), list(argv[1:]))
    except SystemExit as ended:
        # sys.exit() (argparse's --help among them): 0 is a normal end, anything else a failure.
        if ended.code not in (None, 0):
            return _report_failure(bridge, ended)
    except BridgeError as error:
        print(f"hydro: {error}", file=sys.stderr)
        return 1
    except BaseException as error:
        return _report_failure(bridge, error)
    return _end(bridge, {"done": True}, 0)


def run_script(script: str, args: List[str]) -> None:
    """Loads ``script`` as a module named after its file and runs its main."""
    # As `python3 script.py` would: modules beside the script import, sys.argv is the script's.
    sys.path[0] = os.path.dirname(script)
    sys.argv = [script, *args]
    asyncio.run(_invoke(find_main(load(script), script), args))


def load(script: str) -> ModuleType:
    # Named after the file (echo.hydro.py: echo_hydro), not "__main__": a script's
    # `if __name__ == "__main__":` block is for running it without hydro.
    stem = os.path.basename(script)
    name = re.sub(r"\W", "_", stem[: -len(".py")] if stem.endswith(".py") else stem)
    spec = importlib.util.spec_from_file_location(name, script)
    if spec is None or spec.loader is None:
        raise HydroError(f"{script}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses, pickle and typing look the module up by name
    spec.loader.exec_module(module)
    return module


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)


def find_main(module: ModuleType, script: str) -> Callable[[List[str]], Any]:
    """The script's main as a function of the args: ``main(args)``, or ``main()`` if it takes no argument."""
    script_main = getattr(module, "main", None)
    if not callable(script_main):
        raise HydroError(f"{os.path.relpath(script)} must define main: async def main(args): … (or main() without arguments)")
    positional = [p for p in inspect.signature(script_main).parameters.values() if p.kind in _POSITIONAL]
    if sum(1 for p in positional if p.kind != p.VAR_POSITIONAL and p.default is p.empty) > 1:
        raise HydroError(f"{os.path.relpath(script)}: main() must take the args list, or nothing")
    return script_main if positional else (lambda args: script_main())


async def _invoke(script_main: Callable[[List[str]], Any], args: List[str]) -> None:
    # A plain `def main` is called too; an async one is awaited.
    result = script_main(args)
    if inspect.isawaitable(result):
        await result


def _report_failure(bridge: _bridge.Bridge, error: BaseException) -> int:
    """Prints the traceback (not for the deployer's errors: their message names the line) and sends ``failed``."""
    text = user_traceback(error)
    if type(error) not in DEPLOYER_ERRORS.values() and not isinstance(error, SystemExit):
        sys.stderr.write(text)
    failed: Dict[str, Any] = {"type": type(error).__name__, "message": _message(error), "traceback": text}
    site = raise_site(error)
    if site is not None:
        failed["site"] = site
    return _end(bridge, {"failed": failed}, 1)


def _end(bridge: _bridge.Bridge, message: Dict[str, Any], code: int) -> int:
    """The script's last word: its output flushed first, so its last prints come before the teardown's."""
    _flush_output()
    try:
        bridge.notify(message)
    except BridgeError as gone:
        print(f"hydro: {gone}", file=sys.stderr)
        return 1
    return code


def _message(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return error.code if isinstance(error.code, str) else f"exit status {error.code}"
    return str(error)


def user_traceback(error: BaseException) -> str:
    """The traceback as Python prints it, without hydro's frames nor the asyncio start-up before main."""
    summary = traceback.TracebackException.from_exception(error)
    part: Optional[traceback.TracebackException] = summary
    seen = set()
    while part is not None and id(part) not in seen:
        seen.add(id(part))
        part.stack = _user_frames(part.stack)
        part = part.__cause__ or (None if part.__suppress_context__ else part.__context__)
    return "".join(summary.format())


def _user_frames(stack: traceback.StackSummary) -> traceback.StackSummary:
    frames = [frame for frame in stack if not in_package(frame.filename)]
    while frames and in_python(frames[0].filename):
        frames.pop(0)
    return traceback.StackSummary.from_list(frames)


def _flush_output() -> None:
    # The script's last prints reach the terminal before the deployer's own lines about the end.
    for stream in (sys.stdout, sys.stderr):
        stream.flush()


def _exit_soon() -> None:
    """The deployer has gone: nothing is left to report to, and a script busy elsewhere must not outlive it."""
    timer = threading.Timer(EXIT_AFTER_DEPLOYER_GONE_S, os._exit, (1,))
    timer.daemon = True
    timer.start()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
