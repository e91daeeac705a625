import fs from "node:fs";
import { Deployment } from "hydro-deploy";
// Importing a kind's module registers it: a .hydro.ts needs no --plugin.
import "./index.ts";

/**
 * `hydro run burrow.hydro.ts -- <dir> [forever]`: echo_server on a burrow host; the script pings it
 * through its own ports, says how many burrows are dug, and returns (or, with `forever`, waits to be killed).
 */
export default async function main([dir, mode]: string[]) {
  const d = new Deployment({ name: "burrow-test" });
  const host = d.host("burrow", { dir: dir!, delayMs: 100, name: "den" });
  const server = d.service({ src: "../../../examples/echo/echo_server.ts", on: host });
  const me = d.external({ name: "script" });
  me.ports.ping.connect(server.ports.inbound);
  server.ports.outbound.connect(me.ports.echoes);
  await d.deploy();
  me.ports.ping.send({ seq: 7, text: "hello burrow", sentAt: 0 });
  for await (const { data } of me.ports.echoes) {
    console.log(`echo ${data.seq} from ${host.name}; burrows dug: ${fs.readdirSync(dir!).filter((file) => file.endsWith(".burrow")).length}`);
    break;
  }
  if (mode === "forever") await new Promise(() => {});
}
