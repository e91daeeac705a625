"""hydro._run as the deployer starts it: a script's main, its end, its failure, signals, the deployer leaving."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
from typing import Dict, Optional, Sequence, Tuple

from fake_deployer import Answer, FakeDeployer

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class RunTestCase(unittest.TestCase):
    def start(
        self, source: str, args: Sequence[str] = (), answer: Optional[Answer] = None, beside: Optional[Dict[str, str]] = None
    ) -> Tuple[FakeDeployer, "subprocess.Popen[str]", str]:
        """
        Runs ``source`` as x.hydro.py (with the files ``beside`` it) under hydro._run, bridged to a fake
        deployer; returns the deployer, the child and the script's path.
        """
        directory = tempfile.mkdtemp(prefix="hydro-run-test-")
        self.addCleanup(shutil.rmtree, directory)
        for name, text in {"x.hydro.py": textwrap.dedent(source), **(beside or {})}.items():
            with open(os.path.join(directory, name), "w") as file:
                file.write(text)
        script = os.path.join(directory, "x.hydro.py")
        deployer = FakeDeployer(answer)
        read_fd, write_fd = deployer.python_fds
        env = {**os.environ, "PYTHONPATH": PACKAGE_ROOT, "HYDRO_BRIDGE": f"{read_fd},{write_fd}"}
        child = subprocess.Popen(
            [sys.executable, "-m", "hydro._run", script, *args],
            pass_fds=(read_fd, write_fd),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deployer.release_python_fds()
        self.addCleanup(deployer.close)
        self.addCleanup(self.end, child)
        self.assertEqual(deployer.message()["hello"], "hydro-python")
        return deployer, child, script

    def end(self, child: "subprocess.Popen[str]") -> None:
        if child.poll() is None:
            child.kill()
        child.communicate()

    def finish(self, child: "subprocess.Popen[str]") -> Tuple[int, str, str]:
        stdout, stderr = child.communicate(timeout=20)
        return child.returncode, stdout, stderr


class Mains(RunTestCase):
    def test_main_gets_the_args_and_done_follows_its_return(self) -> None:
        deployer, child, _ = self.start(
            """
            import hydro
            import sibling  # the script's directory is on sys.path

            async def main(args):
                print(__name__, sibling.WORD)
                hydro.Deployment(name="-".join(args))
            """,
            args=["a", "b"],
            beside={"sibling.py": "WORD = 'beside'\n"},
        )
        self.assertEqual(deployer.call("deployment.new")["args"], {"name": "a-b"})
        self.assertEqual(deployer.message(), {"done": True})
        self.assertEqual(self.finish(child), (0, "x_hydro beside\n", ""))

    def test_a_main_without_parameters_is_called_without_args(self) -> None:
        deployer, child, _ = self.start(
            """
            async def main():
                print("no args wanted")
            """,
            args=["ignored"],
        )
        self.assertEqual(deployer.message(), {"done": True})
        self.assertEqual(self.finish(child), (0, "no args wanted\n", ""))

    def test_a_script_without_main_fails_in_one_line(self) -> None:
        deployer, child, _ = self.start("x = 1\n")
        failed = deployer.message()["failed"]
        self.assertEqual(failed["type"], "HydroError")
        self.assertRegex(failed["message"], r"x\.hydro\.py must define main: async def main\(args\)")
        code, _, stderr = self.finish(child)
        self.assertEqual((code, stderr), (1, ""))

    def test_sys_exit_0_is_done_and_another_status_a_failure(self) -> None:
        source = """
            import argparse

            async def main(args):
                argparse.ArgumentParser(prog="x").parse_args(args)
            """
        deployer, child, _ = self.start(source, args=["--help"])
        self.assertEqual(deployer.message(), {"done": True})
        code, stdout, _ = self.finish(child)
        self.assertEqual(code, 0)
        self.assertIn("usage: x", stdout)

        deployer, child, script = self.start(source, args=["--bad"])
        failed = deployer.message()["failed"]
        self.assertEqual((failed["type"], failed["message"], failed["site"]), ("SystemExit", "exit status 2", {"file": script, "line": 5}))
        self.assertEqual(self.finish(child)[0], 1)


class Failures(RunTestCase):
    def test_an_exception_is_reported_with_its_type_message_and_the_line_that_raised_it(self) -> None:
        deployer, child, script = self.start(
            """
            async def main(args):
                helper()

            def helper():
                raise ValueError("boom")
            """
        )
        failed = deployer.message()["failed"]
        self.assertEqual((failed["type"], failed["message"], failed["site"]), ("ValueError", "boom", {"file": script, "line": 6}))
        code, _, stderr = self.finish(child)
        self.assertEqual(code, 1)
        # Printed as Python prints it, from the script's main on: no hydro nor asyncio frames.
        self.assertEqual(stderr, failed["traceback"])
        self.assertRegex(stderr, r'(?s)^Traceback .*line 3, in main\n.*line 6, in helper\n    raise ValueError\("boom"\)\n.*ValueError: boom\n$')
        self.assertNotIn("hydro/", stderr)
        self.assertNotIn("asyncio", stderr)

    def test_a_deployer_error_is_reported_as_it_came_and_its_line_only(self) -> None:
        message = "x.hydro.py:5: deployment: readyTimeoutMs: Too small: expected number to be >0"
        deployer, child, script = self.start(
            """
            import hydro

            async def main(args):
                hydro.Deployment(ready_timeout_ms=-1)
            """,
            answer=lambda call: {"error": {"type": "ConfigError", "message": message}},
        )
        deployer.call("deployment.new")
        failed = deployer.message()["failed"]
        self.assertEqual(
            (failed["type"], failed["message"], failed["site"]),
            ("ConfigError", message.replace("readyTimeoutMs", "ready_timeout_ms"), {"file": script, "line": 5}),
        )
        self.assertIn("hydro.Deployment(ready_timeout_ms=-1)", failed["traceback"])
        code, _, stderr = self.finish(child)
        self.assertEqual((code, stderr), (1, ""))  # the deployer prints its one line

    def test_a_syntax_error_is_reported_at_its_own_line(self) -> None:
        deployer, child, script = self.start("async def main(args):\n    x = (\n")
        failed = deployer.message()["failed"]
        self.assertEqual((failed["type"], failed["site"]), ("SyntaxError", {"file": script, "line": 2}))
        self.assertIn("SyntaxError", self.finish(child)[2])


class Lifecycle(RunTestCase):
    WAITS_FOR_DEPLOY = """
        import hydro

        async def main(args):
            await hydro.Deployment().deploy()
        """

    def test_ctrl_c_is_left_to_the_deployer(self) -> None:
        deployer, child, _ = self.start(self.WAITS_FOR_DEPLOY, answer=lambda call: {"ok": 1} if call["call"] == "deployment.new" else None)
        deployer.call("deployment.new")
        deploy = deployer.call("deploy")
        child.send_signal(signal.SIGINT)
        time.sleep(0.3)
        self.assertIsNone(child.poll(), "SIGINT ended the Python process")
        deployer.reply(deploy, {"ok": None})
        self.assertEqual(deployer.message(), {"done": True})
        self.assertEqual(self.finish(child)[0], 0)

    def test_the_deployer_going_away_ends_a_script_waiting_on_a_call(self) -> None:
        deployer, child, _ = self.start(self.WAITS_FOR_DEPLOY, answer=lambda call: {"ok": 1} if call["call"] == "deployment.new" else None)
        deployer.call("deployment.new")
        deployer.call("deploy")
        deployer.go_away()
        code, _, stderr = self.finish(child)
        self.assertEqual(code, 1)
        self.assertIn("hydro: the deployer went away", stderr)

    def test_the_deployer_going_away_ends_a_script_busy_elsewhere_within_a_second_or_so(self) -> None:
        deployer, child, _ = self.start(
            """
            import time
            import hydro

            async def main(args):
                hydro.Deployment()
                time.sleep(60)
            """
        )
        deployer.call("deployment.new")
        time.sleep(0.2)
        started = time.monotonic()
        deployer.go_away()
        self.assertEqual(self.finish(child)[0], 1)
        self.assertLess(time.monotonic() - started, 5)

    def test_without_hydro_bridge_it_refuses_to_start(self) -> None:
        env = {key: value for key, value in os.environ.items() if key != "HYDRO_BRIDGE"}
        result = subprocess.run(
            [sys.executable, "-m", "hydro._run", "x.hydro.py"], env={**env, "PYTHONPATH": PACKAGE_ROOT}, capture_output=True, text=True, timeout=20
        )
        self.assertEqual(result.returncode, 2)
        self.assertIn("HYDRO_BRIDGE is not set", result.stderr)


if __name__ == "__main__":
    unittest.main()
