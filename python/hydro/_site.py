"""Where in the user's script something happened: the `site` every call and failure carries."""

from __future__ import annotations

import functools
import os
import sys
from types import FrameType, TracebackType
from typing import Dict, List, Optional, Tuple, Union

Site = Dict[str, Union[str, int]]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


@functools.lru_cache(maxsize=None)
def _python_dirs() -> Tuple[str, ...]:
    """Python's own library and installed packages: a failure inside them is reported at the user's line that called in.
    Looked up only when something fails: sysconfig is not on the start-up path of every run."""
    import sysconfig

    return tuple({os.path.abspath(sysconfig.get_paths()[key]) + os.sep for key in ("stdlib", "platstdlib", "purelib", "platlib")})


def in_package(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PACKAGE_DIR)


def in_python(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_python_dirs())


def _site(filename: str, line: int) -> Site:
    # "<string>" and the like name no file: kept as they are rather than made into a path.
    return {"file": filename if filename.startswith("<") else os.path.abspath(filename), "line": line}


def caller_site() -> Optional[Site]:
    """The first frame outside the hydro package: the user's line that called into it."""
    frame: Optional[FrameType] = sys._getframe(1)
    while frame is not None and in_package(frame.f_code.co_filename):
        frame = frame.f_back
    return None if frame is None else _site(frame.f_code.co_filename, frame.f_lineno)


def raise_site(error: BaseException) -> Optional[Site]:
    """The user's line an exception came from: the innermost frame of the user's own code, else any outside hydro."""
    if isinstance(error, SyntaxError) and error.filename and error.lineno:
        return _site(error.filename, error.lineno)
    frames = _frames(error.__traceback__)
    outside = [(name, line) for name, line in frames if not in_package(name)]
    users = [(name, line) for name, line in outside if not in_python(name)]
    candidates = users or outside
    return _site(*candidates[-1]) if candidates else None


def _frames(tb: Optional[TracebackType]) -> List[Tuple[str, int]]:
    frames = []
    while tb is not None:
        frames.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    return frames
