"""The channel itself: the version handshake, answers by id, and the deployer going away."""

from __future__ import annotations

import asyncio
import platform
import unittest
from unittest import mock

from bridged import BridgedTestCase
from fake_deployer import FakeDeployer

import hydro
from hydro import _bridge


class Handshake(unittest.TestCase):
    def connect(self, deployer: FakeDeployer) -> _bridge.Bridge:
        self.addCleanup(deployer.close)
        return _bridge.Bridge.connect(*deployer.python_fds)

    def test_the_python_side_says_hello_first_with_its_bridge_and_python_versions(self) -> None:
        deployer = FakeDeployer()
        self.connect(deployer)
        self.assertEqual(deployer.message(), {"hello": "hydro-python", "version": 1, "python": platform.python_version()})

    def test_a_deployer_refusing_the_version_raises_bridge_error_with_its_text(self) -> None:
        refusal = "this deployer speaks bridge version 1, the hydro package 2"
        deployer = FakeDeployer(hello={"hello": "hydro-deploy", "version": 1, "error": refusal})
        with self.assertRaises(hydro.BridgeError) as raised:
            self.connect(deployer)
        self.assertEqual(str(raised.exception), refusal)

    def test_a_deployer_of_another_version_is_refused_here(self) -> None:
        deployer = FakeDeployer(hello={"hello": "hydro-deploy", "version": 2})
        with self.assertRaisesRegex(hydro.BridgeError, "bridge version 2, this hydro package 1"):
            self.connect(deployer)

    def test_without_a_bridge_installed_a_deployment_says_to_use_hydro_run(self) -> None:
        with self.assertRaisesRegex(hydro.BridgeError, "hydro run"):
            hydro.Deployment()


class DeployerGoesAway(BridgedTestCase):
    def test_pending_calls_raise_bridge_error_and_later_calls_too(self) -> None:
        self.deployer.answer = lambda message: {"ok": 1} if message["call"] == "deployment.new" else None
        d = hydro.Deployment()
        self.deployer.call("deployment.new")

        async def scenario() -> None:
            deploying = asyncio.ensure_future(d.deploy())
            tearing_down = asyncio.ensure_future(d.teardown())
            await asyncio.sleep(0)  # both send their call
            self.deployer.call("deploy")
            self.deployer.call("teardown")
            self.deployer.go_away()
            for pending in (deploying, tearing_down):
                with self.assertRaisesRegex(hydro.BridgeError, "the deployer went away"):
                    await pending

        asyncio.run(scenario())
        with self.assertRaises(hydro.BridgeError):
            d.Localhost()

    def test_a_declaration_waiting_for_its_answer_raises_bridge_error(self) -> None:
        def leave_unanswered(message: _bridge.Message) -> None:
            self.deployer.go_away()

        self.deployer.answer = leave_unanswered
        with self.assertRaisesRegex(hydro.BridgeError, "the deployer went away"):
            hydro.Deployment()


class Answers(BridgedTestCase):
    def test_ids_are_positive_unique_and_answers_reach_their_call_in_any_order(self) -> None:
        self.deployer.answer = lambda message: None
        futures = [self.bridge.request("exitCode", 7, {}, None) for _ in range(3)]
        calls = [self.deployer.call("exitCode") for _ in range(3)]
        self.assertEqual(sorted(call["id"] for call in calls), [call["id"] for call in calls])
        self.assertTrue(all(call["id"] > 0 for call in calls))
        for code, call in reversed(list(enumerate(calls))):
            self.deployer.reply(call, {"ok": code})
        self.assertEqual([future.result(timeout=5)["ok"] for future in futures], [0, 1, 2])


class MessageLimit(unittest.TestCase):
    def setUp(self) -> None:
        # A small limit, in force before the bridge starts reading.
        limit = mock.patch.object(_bridge, "MAX_MESSAGE_BYTES", 1024)
        limit.start()
        self.addCleanup(limit.stop)
        self.deployer = FakeDeployer(answer=lambda message: {"ok": "x" * 2000})
        self.addCleanup(self.deployer.close)
        self.bridge = _bridge.Bridge.connect(*self.deployer.python_fds)
        self.deployer.message()  # hello

    def test_a_call_over_the_limit_raises_at_the_call_and_sends_nothing(self) -> None:
        with self.assertRaisesRegex(ValueError, r"service\(\): \d+ bytes of JSON, over the bridge's"):
            self.bridge.request("service", 1, {"src": "x" * 2000}, None)
        self.deployer.no_message()

    def test_an_answer_over_the_limit_breaks_the_bridge(self) -> None:
        with self.assertRaisesRegex(hydro.BridgeError, "the deployer sent a message longer than 1024 bytes"):
            self.bridge.request("localhost", 1, {}, None).result(timeout=5)


if __name__ == "__main__":
    unittest.main()
