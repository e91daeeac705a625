import { Deployment } from "hydro-deploy";

// The seed's echo with both programs written as .hf files: `hydro run examples/echo/echo_hf.hydro.ts [-- count]`.
export default async function main(args: string[]) {
  const d = new Deployment();
  const server = d.service({ src: "./echo_server.hf", on: d.localhost() });
  const client = d.service({ src: "./echo_client.hf", on: d.localhost(), args: ["--count", args[0] ?? "10"] });
  client.ports.outbound.connect(server.ports.inbound);
  server.ports.outbound.connect(client.ports.inbound);
  await d.deploy();
  const code = await client.exitCode();
  if (code !== 0) throw new Error(`echo_client exited with code ${code}`);
}
