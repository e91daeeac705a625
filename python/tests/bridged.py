"""A test case whose hydro calls go to a FakeDeployer in this process."""

from __future__ import annotations

import inspect
import os
import unittest
from typing import Any, Dict, Optional

from fake_deployer import FakeDeployer

from hydro import _bridge


class BridgedTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.connect()

    def connect(self, hello: Optional[Dict[str, Any]] = None) -> None:
        """A new bridge to a new FakeDeployer whose hello is ``hello`` (by default the real deployer's)."""
        self.deployer = FakeDeployer(hello=hello)
        self.bridge = _bridge.Bridge.connect(*self.deployer.python_fds)
        self.deployer.message()  # hello
        _bridge.install(self.bridge)

    def tearDown(self) -> None:
        _bridge.install(None)
        self.deployer.close()


def site_of_next_line() -> Dict[str, Any]:
    """The site a call on the caller's next line must carry: the test's own file and that line."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return {"file": os.path.abspath(frame.f_back.f_code.co_filename), "line": frame.f_back.f_lineno + 1}
