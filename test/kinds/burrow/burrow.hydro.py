"""``hydro run --plugin test/kinds/burrow/index.ts burrow.hydro.py -- <dir>``: the plug-in's kind as ``Deployment.Burrow``."""
import os

import hydro


async def main(args):
    directory = args[0]
    deployment = hydro.Deployment(name="burrow-test")
    host = deployment.Burrow(dir=directory, delay_ms=100, name="den")
    server = deployment.Service(src="../../../examples/echo/echo_server.ts", on=host)
    me = deployment.External(name="script")
    me.ports.ping.connect(server.ports.inbound)
    server.ports.outbound.connect(me.ports.echoes)
    await deployment.deploy()
    await me.ports.ping.send({"seq": 7, "text": "hello burrow", "sentAt": 0})
    async for message in me.ports.echoes:
        dug = len([name for name in os.listdir(directory) if name.endswith(".burrow")])
        print(f"echo {message.data['seq']} from den; burrows dug: {dug}")
        break
