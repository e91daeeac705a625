"""
The seed's echo script in Python, on the TS echo programs beside it:

    hydro run examples/echo/echo.hydro.py [-- --count 10]
    hydro run examples/echo/echo.hydro.py -- --gcp <project> [--zone us-central1-a] [--type e2-small]

Localhost by default; with --gcp, the server and the client each on a GCE VM of that project,
created at deploy() and deleted at the end. Also: --user U, --private (reach the VMs at their
private addresses: the deployer is in their network), --image (a GCE image path), --hf (the
programs written in Hydroflow's surface syntax, echo_server.hf and echo_client.hf, deployed with
``deployment.Hydroflow``; echo_hf.hydro.py is this script with --hf).
"""

import argparse

import hydro


def parse(args):
    parser = argparse.ArgumentParser(prog="echo.hydro.py")
    parser.add_argument("--count", type=int, default=10, help="pings the client sends")
    parser.add_argument("--gcp", metavar="PROJECT", help="run on two GCE VMs of this project")
    parser.add_argument("--zone", default="us-central1-a")
    parser.add_argument("--type", default="e2-small", help="the VMs' machine type")
    parser.add_argument("--user")
    parser.add_argument("--image")
    parser.add_argument("--private", action="store_true")
    parser.add_argument("--hf", action="store_true", help="run the .hf programs (echo_server.hf, echo_client.hf)")
    return parser.parse_args(args)


async def main(args):
    options = parse(args)
    deployment = hydro.Deployment()

    if options.gcp:
        def machine(name):
            return deployment.GcpMachine(
                name=name,
                project=options.gcp,
                zone=options.zone,
                type=options.type,
                user=options.user,
                image=options.image,
                public_ip=not options.private,
            )

        server_machine, client_machine = machine("server-machine"), machine("client-machine")
    else:
        server_machine = client_machine = deployment.Localhost()

    if options.hf:
        server = deployment.Hydroflow(name="echo_server", src="./echo_server.hf", on=server_machine)
        client = deployment.Hydroflow(name="echo_client", src="./echo_client.hf", on=client_machine, args=["--count", str(options.count)])
    else:
        server = deployment.Service(name="echo_server", src="./echo_server.ts", on=server_machine)
        client = deployment.Service(name="echo_client", src="./echo_client.ts", on=client_machine, args=["--count", str(options.count)])
    client.ports.outbound.connect(server.ports.inbound)
    server.ports.outbound.connect(client.ports.inbound)

    # Asked for before deploy(), the client's lines are all kept: asked for after, lines it printed
    # before the call reached the deployer would be printed as "[echo_client] …" instead.
    lines = client.stdout()
    await deployment.deploy()
    async for line in lines:
        print(f"client says: {line}")
    code = await client.exit_code()
    if code != 0:
        raise RuntimeError(f"echo_client exited with code {code}")

    await client.stop()
    await server.stop()
    if options.gcp:  # this machine itself cannot be terminated; the VMs are deleted here, as in the seed
        await server_machine.terminate()
        await client_machine.terminate()
