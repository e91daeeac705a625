import { Deployment } from "hydro-deploy";

// One server, one client, both on this machine: `hydro run examples/echo/echo.hydro.ts [-- count]`.
export default async function main(args: string[]) {
  await runEcho("./echo_server.ts", args);
}

/** Also run by echo_dataflow.hydro.ts with the dataflow server. */
export async function runEcho(serverSrc: string, args: string[]) {
  const d = new Deployment();
  const server = d.service({ name: "echo_server", src: serverSrc, on: d.localhost() });
  const client = d.service({ src: "./echo_client.ts", on: d.localhost(), args: ["--count", args[0] ?? "10"] });

  client.ports.outbound.connect(server.ports.inbound);
  server.ports.outbound.connect(client.ports.inbound);

  await d.deploy();
  const code = await client.exitCode();
  if (code !== 0) throw new Error(`echo_client exited with code ${code}`);
}
