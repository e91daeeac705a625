import { test } from "node:test";
import assert from "node:assert/strict";
import { Deployment } from "./deployment.js";
import { planBind, route, targetsOf, sendersOf, type PortRef } from "./ports.js";
import type { LaunchedHost } from "./host.js";
import type { Address } from "../runtime/protocol.js";
import { fixture } from "../test/helpers.js";

/** Planning asks a host only for these; tunnels are tagged with the host that made them. */
function host(name: string, networkAddress: string, local = false): LaunchedHost {
  return {
    name,
    networkAddress,
    local,
    socketPath: (label: string) => `/run/${name}/${label}.sock`,
    tunnelTo: async () => ({ kind: "unix", path: `tunnel to ${name}` }),
    tunnelFrom: async () => ({ kind: "tcp", host: "127.0.0.1", port: 1 }),
  } as unknown as LaunchedHost;
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

test("a receiver on a remote host whose only other sender is the deployer binds a unix socket (the tunnel ends there)", () => {
  const remote = host("remote", "10.0.0.2");
  assert.deepEqual(planBind(remote, [remote, host("local", "127.0.0.1", true)], "server.in"), { kind: "unix", path: "/run/remote/server.in.sock" });
});

test("a receiver on the deployer's machine whose senders are remote binds a unix socket (reverse tunnels end there)", () => {
  const local = host("local", "127.0.0.1", true);
  assert.deepEqual(planBind(local, [host("a", "10.0.0.1"), local], "script.in"), { kind: "unix", path: "/run/local/script.in.sock" });
});

test("routes: same host and remote-to-remote use the bound address; deployer and remote hosts meet through tunnels", async () => {
  const local = host("local", "127.0.0.1", true);
  const [a, b] = [host("a", "10.0.0.1"), host("b", "10.0.0.2")];
  const bound = { kind: "tcp", host: "10.0.0.2", port: 7 } as const;
  assert.deepEqual(await route(b, b, bound), bound);
  assert.deepEqual(await route(a, b, bound), bound);
  assert.deepEqual(await route(local, b, bound), { kind: "unix", path: "tunnel to b" });
  assert.deepEqual(await route(b, local, { kind: "unix", path: "/local.sock" }), { kind: "tcp", host: "127.0.0.1", port: 1 });
});

test("a sender's targets carry each receiver's key, reported address and the edge's credential, in wiring order", async () => {
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
  const localhost = host("localhost", "127.0.0.1", true);
  const place = async () => localhost;
  const tokenOf = (from: string, to: string) => d.edges.find((edge) => edge.from.node.name === from && edge.to.node.name === to)!.token;
  assert.deepEqual(await targetsOf(server, d.edges, bound, place), {
    outbound: [
      { key: "first", address: { kind: "unix", path: "/c1" }, token: tokenOf("server", "c1") },
      { key: "second", address: { kind: "unix", path: "/c2" }, token: tokenOf("server", "c2") },
    ],
  });
  assert.deepEqual(await targetsOf(clients[1]!, d.edges, bound, place), {
    outbound: [{ key: "server", address: { kind: "tcp", host: "127.0.0.1", port: 4000 }, token: tokenOf("c2", "server") }],
  });
  // The receiver accepts exactly its wired senders' credentials, and every edge has its own.
  assert.deepEqual(sendersOf(server, d.edges), {
    inbound: [
      { from: "c1", token: tokenOf("c1", "server") },
      { from: "c2", token: tokenOf("c2", "server") },
    ],
  });
  assert.equal(new Set(d.edges.map((edge) => edge.token)).size, d.edges.length);
  assert.ok(d.edges.every((edge) => edge.token.length >= 24));
});
