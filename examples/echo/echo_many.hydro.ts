import { Deployment } from "hydro-deploy";

// Three clients into one server (a merge), echoed back to each by sender (a demux).
export default async function main(args: string[]) {
  const d = new Deployment();
  const server = d.service({ src: "./echo_server.ts", on: d.localhost() });
  const clients = [1, 2, 3].map((i) => d.service({ name: `client-${i}`, src: "./echo_client.ts", on: d.localhost(), args: ["--count", args[0] ?? "5"] }));

  for (const client of clients) client.ports.outbound.connect(server.ports.inbound);
  server.ports.outbound.demux(clients.map((client) => client.ports.inbound));

  await d.deploy();
  const codes = await Promise.all(clients.map((client) => client.exitCode()));
  if (codes.some((code) => code !== 0)) throw new Error(`client exit codes: ${codes.join(", ")}`);
}
