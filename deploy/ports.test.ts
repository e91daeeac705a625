import { test } from "node:test";
import assert from "node:assert/strict";
import { Deployment } from "./deployment.js";
import { planBind, targetsOf, type PortRef } from "./ports.js";
import type { LaunchedHost } from "./host.js";
import type { Address } from "../runtime/protocol.js";
import { fixture } from "../test/helpers.js";

/** planBind only asks a host for a socket path and its network address. */
function host(name: string, networkAddress: string): LaunchedHost {
  return { name, networkAddress, socketPath: (label: string) => `/run/${name}/${label}.sock` } as LaunchedHost;
}

test("receivers whose senders all share their host bind a unix socket", () => {
  const a = host("a", "10.0.0.1");
  assert.deepEqual(planBind(a, [a, a], "server.in"), { kind: "unix", path: "/run/a/server.in.sock" });
});

test("a receiver with a sender on another host binds TCP on its network address, port chosen by the program", () => {
  const a = host("a", "10.0.0.1");
  const b = host("b", "10.0.0.2");
  assert.deepEqual(planBind(a, [a, b], "server.in"), { kind: "tcp", host: "10.0.0.1", port: 0 });
});

test("a sender's targets carry each receiver's key and reported address, in wiring order", () => {
  const d = new Deployment();
  const server = d.service({ name: "server", src: fixture("relay.ts"), on: d.localhost() });
  const clients = ["c1", "c2"].map((name) => d.service({ name, src: fixture("relay.ts"), on: d.localhost() }));
  server.ports.outbound.demux({ first: clients[0]!.ports.inbound, second: clients[1]!.ports.inbound });
  for (const client of clients) client.ports.outbound.connect(server.ports.inbound);
  const bound = new Map<PortRef, Address>([
    [clients[0]!.ports.inbound!, { kind: "unix", path: "/c1" }],
    [clients[1]!.ports.inbound!, { kind: "unix", path: "/c2" }],
    [server.ports.inbound!, { kind: "tcp", host: "127.0.0.1", port: 4000 }],
  ]);
  assert.deepEqual(targetsOf(server, d.edges, bound), {
    outbound: [
      { key: "first", address: { kind: "unix", path: "/c1" } },
      { key: "second", address: { kind: "unix", path: "/c2" } },
    ],
  });
  assert.deepEqual(targetsOf(clients[1]!, d.edges, bound), { outbound: [{ key: "server", address: { kind: "tcp", host: "127.0.0.1", port: 4000 } }] });
});
