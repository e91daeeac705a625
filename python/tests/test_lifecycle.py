"""Lifecycle calls (coroutines, several in flight), streams read in batches, external ports."""

from __future__ import annotations

import asyncio
import unittest
from typing import Any, Dict, List, Optional

from bridged import BridgedTestCase, site_of_next_line
from fake_deployer import Answer, Message, handles

import hydro


def scripted(answers: Dict[str, List[Optional[Message]]]) -> Answer:
    """Answers the calls named in ``answers`` with their answers in turn (None: leave it unanswered), the rest with handles."""
    declarations = handles()

    def answer(message: Message) -> Optional[Message]:
        if message["call"] in answers:
            return answers[message["call"]].pop(0)
        return declarations(message)

    return answer


class LifecycleTestCase(BridgedTestCase, unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        # The fake deployer is read on the loop's thread, blocking it on purpose: not a slow callback.
        asyncio.get_running_loop().slow_callback_duration = 10

    async def flush(self) -> None:
        """Lets tasks started on the loop run far enough to send their calls."""
        for _ in range(5):
            await asyncio.sleep(0)


class LifecycleCalls(LifecycleTestCase):
    async def test_a_lifecycle_call_is_sent_when_awaited_and_reported_at_the_line_that_made_it(self) -> None:
        self.deployer.answer = scripted({"deploy": [None]})
        d = hydro.Deployment()
        self.deployer.call("deployment.new")
        site = site_of_next_line()
        deploying = d.deploy()
        self.deployer.no_message()  # a coroutine does nothing until awaited

        task = asyncio.ensure_future(deploying)
        await self.flush()
        call = self.deployer.call("deploy")
        self.assertEqual((call["target"], call["args"], call["site"]), (1, {}, site))
        self.assertFalse(task.done())
        self.deployer.reply(call, {"ok": None})
        await task

    async def test_calls_in_flight_each_get_their_own_answer_whatever_the_order(self) -> None:
        self.deployer.answer = scripted({"exitCode": [None, None]})
        d = hydro.Deployment()
        first, second = (d.Service(src="c.ts", on=d.Localhost()) for _ in range(2))
        for call in ("deployment.new", "host", "service", "host", "service"):
            self.deployer.call(call)

        codes = asyncio.gather(first.exit_code(), second.exit_code())
        await self.flush()
        calls = [self.deployer.call("exitCode"), self.deployer.call("exitCode")]
        self.assertEqual([call["target"] for call in calls], [first._handle, second._handle])
        self.deployer.reply(calls[1], {"ok": 137})
        self.deployer.reply(calls[0], {"ok": 0})
        self.assertEqual(await codes, [0, 137])

    async def test_an_error_answer_raises_its_class_at_the_await(self) -> None:
        failure = {"type": "ProgramFailedError", "message": "x.py:9: echo_server exited with code 1 during deploy", "program": "echo_server"}
        self.deployer.answer = scripted({"deploy": [{"error": failure}]})
        d = hydro.Deployment()
        with self.assertRaises(hydro.ProgramFailedError) as raised:
            await d.deploy()
        self.assertEqual((str(raised.exception), raised.exception.program), (failure["message"], "echo_server"))

    async def test_stop_and_terminate_name_their_node_and_host(self) -> None:
        d = hydro.Deployment()
        vm = d.GcpMachine(project="my-project", zone="us-central1-a", type="e2-small")
        svc = d.Service(src="s.ts", on=vm)
        await svc.stop()
        await vm.terminate()
        for call in ("deployment.new", "host", "service"):
            self.deployer.call(call)
        self.assertEqual(self.deployer.call("stop")["target"], svc._handle)
        self.assertEqual(self.deployer.call("terminate")["target"], vm._wire())


class HostPools(LifecycleTestCase):
    async def test_a_pool_declares_hosts_a_deployment_is_given_it_by_handle_and_release_is_awaited(self) -> None:
        pool = hydro.HostPool(name="kept")
        vm = pool.AwsMachine(region="eu-west-1", type="t3.micro")
        d = hydro.Deployment(name="point-1", hosts=pool)
        d.Service(src="s.ts", on=vm)
        self.assertEqual(self.deployer.call("pool.new")["args"], {"name": "kept"})
        host = self.deployer.call("host")
        self.assertEqual((host["target"], host["args"]["kind"]), (pool._wire(), "aws"))
        made = self.deployer.call("deployment.new")
        self.assertEqual(made["args"], {"name": "point-1", "hosts": pool._wire()})
        self.assertEqual(self.deployer.call("service")["args"]["on"], vm._wire())
        await pool.release()
        self.assertEqual(self.deployer.call("release")["target"], pool._wire())

    async def test_a_pool_has_the_plug_in_kinds_a_deployment_has_and_names_itself_when_it_has_not(self) -> None:
        pool = hydro.HostPool()
        self.deployer.call("pool.new")
        with self.assertRaisesRegex(AttributeError, "'HostPool' has no attribute 'Nope'"):
            pool.Nope()


class Streams(LifecycleTestCase):
    def service(self) -> hydro.Service:
        d = hydro.Deployment()
        svc = d.Service(src="c.ts", on=d.Localhost())
        for call in ("deployment.new", "host", "service"):
            self.deployer.call(call)
        return svc

    async def test_stdout_is_asked_for_at_the_call_and_read_in_batches_until_done(self) -> None:
        self.deployer.answer = scripted(
            {"stdout": [{"ok": 50}], "next": [{"ok": {"items": ["echo 0", "echo 1"]}}, {"ok": {"items": ["done"]}}, {"ok": {"done": True}}]}
        )
        svc = self.service()
        site = site_of_next_line()
        lines = svc.stdout()
        opened = self.deployer.call("stdout")  # sent before iterating: lines from the call on
        self.assertEqual((opened["target"], opened["site"]), (svc._handle, site))

        self.assertEqual([line async for line in lines], ["echo 0", "echo 1", "done"])
        nexts = [self.deployer.call("next") for _ in range(3)]
        self.assertEqual({(call["target"], str(call["args"])) for call in nexts}, {(50, "{}")})
        self.deployer.no_message()  # a stream read to its end is not closed again

    async def test_leaving_a_stream_early_closes_it(self) -> None:
        self.deployer.answer = scripted({"stderr": [{"ok": 60}], "next": [{"ok": {"items": ["a", "b", "c"]}}], "close": [{"ok": None}]})
        svc = self.service()
        async for line in svc.stderr():
            self.assertEqual(line, "a")
            break
        await self.flush()  # asyncio closes the abandoned generator on the next turns of the loop
        self.deployer.call("stderr")
        self.deployer.call("next")
        self.assertEqual(self.deployer.call("close")["target"], 60)


class ExternalPorts(LifecycleTestCase):
    async def test_send_carries_the_port_the_data_and_the_receiver(self) -> None:
        d = hydro.Deployment()
        me = d.External(name="script")
        await me.ports.ping.send({"seq": 1, "text": "hi"}, to="echo_server")
        await me.ports.ping.send([1, 2])
        self.deployer.call("deployment.new")
        self.assertEqual(self.deployer.call("external")["args"], {"name": "script"})
        first, second = self.deployer.call("send"), self.deployer.call("send")
        self.assertEqual((first["target"], first["args"]), (me._handle, {"port": "ping", "data": {"seq": 1, "text": "hi"}, "to": "echo_server"}))
        self.assertEqual(second["args"], {"port": "ping", "data": [1, 2]})

    async def test_iterating_a_port_yields_who_sent_what(self) -> None:
        echoes = [{"from": "echo_server", "data": {"seq": n}} for n in range(3)]
        self.deployer.answer = scripted({"receive": [{"ok": 70}], "next": [{"ok": {"items": echoes[:2]}}, {"ok": {"items": echoes[2:]}}]})
        d = hydro.Deployment()
        me = d.External()
        received = []
        async for message in me.ports.echoes:
            received.append(message)
            if len(received) == 3:
                break
        self.assertEqual(received, [hydro.Received(sender="echo_server", data={"seq": n}) for n in range(3)])
        self.assertEqual((received[0].sender, received[0].data), ("echo_server", {"seq": 0}))
        await self.flush()
        for call in ("deployment.new", "external"):
            self.deployer.call(call)
        self.assertEqual((self.deployer.call("receive")["args"]), {"port": "echoes"})
        self.deployer.call("next")
        self.deployer.call("next")

    async def test_a_loop_left_early_leaves_the_rest_of_its_batch_to_the_next_loop_on_that_port(self) -> None:
        echoes = [{"from": "echo_server", "data": {"seq": n}} for n in range(3)]
        self.deployer.answer = scripted({"receive": [{"ok": 70}], "next": [{"ok": {"items": echoes}}]})
        me = hydro.Deployment().External()
        seen = []
        for _ in range(3):
            async for message in me.ports.echoes:
                seen.append(message.data["seq"])
                break
        self.assertEqual(seen, [0, 1, 2])
        await self.flush()
        calls = [self.deployer.call(call)["call"] for call in ("deployment.new", "external", "receive", "next")]
        self.assertEqual(calls, ["deployment.new", "external", "receive", "next"], "one stream, one batch, for three loops")


if __name__ == "__main__":
    unittest.main()


class NetworkFaults(LifecycleTestCase):
    async def test_a_fault_names_its_groups_by_handle_and_its_options_by_their_ts_names(self) -> None:
        fault = {"handle": 90, "kind": "delay", "description": "delay a → b: 5 ms (seed 3)", "seed": 3, "setAt": 1700000000000}
        self.deployer.answer = scripted({"network.delay": [{"ok": fault}], "fault.clear": [{"ok": None}]})
        d = hydro.Deployment()
        a, b, c = (d.Service(src="x.ts", on=d.Localhost()) for _ in range(3))
        set_fault = await d.network.delay(a, [b, c], ms=5, jitter_ms=2, seed=3, both_ways=True)
        await set_fault.clear()
        for call in ("deployment.new", "host", "service", "host", "service", "host", "service"):
            self.deployer.call(call)
        call = self.deployer.call("network.delay")
        self.assertEqual(call["target"], d._handle)
        self.assertEqual(call["args"], {"a": a._handle, "b": [b._handle, c._handle], "options": {"ms": 5, "jitterMs": 2, "seed": 3, "bothWays": True}})
        self.assertEqual((set_fault.kind, set_fault.seed, set_fault.description), ("delay", 3, "delay a → b: 5 ms (seed 3)"))
        self.assertEqual(self.deployer.call("fault.clear")["target"], 90)

    async def test_an_option_refused_by_the_deployer_is_said_in_python_names(self) -> None:
        refusal = {"error": {"type": "ConfigError", "message": "x.hydro.py:3: partition(): bothWays: Invalid input: expected boolean, received string"}}
        self.deployer.answer = scripted({"network.partition": [refusal]})
        d = hydro.Deployment()
        a = d.External()
        with self.assertRaisesRegex(hydro.ConfigError, r"^x\.hydro\.py:3: partition\(\): both_ways: Invalid input"):
            await d.network.partition(a, a, both_ways="yes")  # type: ignore[arg-type]

    async def test_counts_come_back_as_named_tuples(self) -> None:
        edge = {"from": "relay", "port": "out", "to": "script", "toPort": "back", "dropped": 4, "delayed": 1}
        self.deployer.answer = scripted({"network.counts": [{"ok": [edge]}], "network.heal": [{"ok": None}]})
        d = hydro.Deployment()
        await d.network.heal()
        self.assertEqual(await d.network.counts(), [hydro.EdgeCounts("relay", "out", "script", "back", 4, 1)])

    async def test_a_group_that_is_not_a_node_is_refused_here_not_taken_for_a_handle(self) -> None:
        d = hydro.Deployment()
        a = d.External()
        with self.assertRaisesRegex(TypeError, r"^partition\(\): first group: expected a program, a cluster or an External \(or a list of them\), got int 1$"):
            await d.network.partition(1, a)  # type: ignore[arg-type]
        with self.assertRaisesRegex(TypeError, r"^loss\(\): second group: .*got str 'relay'$"):
            await d.network.loss(a, [a, "relay"], p=0.5)  # type: ignore[list-item]
