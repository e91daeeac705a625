"""
The seed's echo script with its programs in Hydroflow's surface syntax (echo_server.hf,
echo_client.hf), deployed with ``deployment.Hydroflow(src=…, on=…)``: echo.hydro.py with --hf.

    hydro run examples/echo/echo_hf.hydro.py [-- --count 10] [--gcp <project> …]
"""

import pathlib
import runpy

_echo = runpy.run_path(str(pathlib.Path(__file__).with_name("echo.hydro.py")))


async def main(args):
    await _echo["main"](["--hf", *args])
