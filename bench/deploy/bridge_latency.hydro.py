"""The Python bridge's round trip: `hydro run bench/deploy/bridge_latency.hydro.py -- <calls>`."""
import time

import hydro


async def main(args):
    calls = int(args[0]) if args else 2000
    deployment = hydro.Deployment()
    started = time.perf_counter()
    for _ in range(calls):
        deployment.Localhost()  # a synchronous declaration: one call, one answer
    sync_us = (time.perf_counter() - started) / calls * 1e6

    server = deployment.Service(src="../../examples/echo/echo_server.ts", on=deployment.Localhost())
    me = deployment.External()
    me.ports.ping.connect(server.ports.inbound)
    server.ports.outbound.connect(me.ports.echoes)
    await deployment.deploy()
    started = time.perf_counter()
    for seq in range(calls):
        await me.ports.ping.send({"seq": seq, "text": "x", "sentAt": 0})  # an awaited call
    async_us = (time.perf_counter() - started) / calls * 1e6
    print(f"result sync_us={sync_us:.1f} async_us={async_us:.1f}")
