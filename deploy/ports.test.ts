import { test } from "node:test";
import assert from "node:assert/strict";
import { Deployment } from "./deployment.js";
import { planBind, route, targetsOf, sendersOf, type PortRef } from "./ports.js";
import type { LaunchedHost } from "./host.js";
import type { Address } from "../runtime/protocol.js";
import { fixture } from "../test/helpers.js";

/** Planning asks a host only for these; tunnels are tagged with the host that made them and what they lead to. */
function host(name: string, networkAddress: string, network: string, local = false): LaunchedHost {
  return {
    name,
    network,
    networkAddress,
    local,
    socketPath: (label: string) => `/run/${name}/${label}.sock`,
    tunnelTo: async (to: Address) => ({ kind: "tcp", host: "127.0.0.1", port: 1000, via: `${name} → ${describe(to)}` }),
    tunnelFrom: async (to: Address) => ({ kind: "tcp", host: "127.0.0.1", port: 2000, via: `${name} ← ${describe(to)}` }),
  } as unknown as LaunchedHost;
}
const describe = (address: Address & { via?: string }) => address.via ?? (address.kind === "unix" ? address.path : `${address.host}:${address.port}`);
const deployer = () => host("localhost", "127.0.0.1", "deployer", true);

test("receivers whose senders all share their host bind a unix socket", () => {
  const a = host("a", "10.0.0.1", "lab");
  assert.deepEqual(planBind(a, [a, a], "server.in"), { kind: "unix", path: "/run/a/server.in.sock" });
});

test("a receiver with a sender on another host of its network binds TCP on its network address, port chosen by the program", () => {
  const a = host("a", "10.0.0.1", "lab");
  const b = host("b", "10.0.0.2", "lab");
  assert.deepEqual(planBind(a, [a, b], "server.in"), { kind: "tcp", host: "10.0.0.1", port: 0 });
});

test("a receiver whose other senders are all on other networks binds a unix socket (their tunnels end on its host)", () => {
  const remote = host("remote", "10.0.0.2", "aws:eu-west-1/vpc-1");
  const elsewhere = host("gce", "10.128.0.2", "gcp:p/default");
  assert.deepEqual(planBind(remote, [remote, deployer(), elsewhere], "server.in"), { kind: "unix", path: "/run/remote/server.in.sock" });
  const local = deployer();
  assert.deepEqual(planBind(local, [remote, local], "script.in"), { kind: "unix", path: "/run/localhost/script.in.sock" });
});

test("routes: the bound address on one host or network; through the deployer between networks", async () => {
  const local = deployer();
  const [a, b] = [host("a", "10.0.0.1", "lab"), host("b", "10.0.0.2", "lab")];
  const [aws, gce] = [host("aws", "172.31.0.5", "aws:eu-west-1/vpc-1"), host("gce", "10.128.0.2", "gcp:p/default")];
  const tcp = { kind: "tcp", host: "10.0.0.2", port: 7 } as const;
  const socket = { kind: "unix", path: "/run/x.sock" } as const;
  assert.deepEqual(await route(b, b, tcp), tcp);
  assert.deepEqual(await route(a, b, tcp), tcp);
  assert.equal(describe(await route(local, b, socket)), "b → /run/x.sock");
  assert.equal(describe(await route(b, local, socket)), "b ← /run/x.sock");
  // Two clouds: from the sender's host back to the deployer, then on to the receiver's host.
  assert.equal(describe(await route(aws, gce, socket)), "aws ← gce → /run/x.sock");
  assert.equal(describe(await route(gce, a, socket)), "gce ← a → /run/x.sock");
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
  const localhost = deployer();
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
