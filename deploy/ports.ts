import crypto from "node:crypto";
import type { Address, PortDirection, Sender, Target } from "../runtime/protocol.js";
import { callsite, formatCallsite, type Callsite } from "./callsite.js";
import type { Host, LaunchedHost } from "./host.js";

/**
 * The port graph: which port sends to which, as edges recorded when the config calls
 * `connect`/`demux`, checked before anything starts, and turned into addresses once hosts are up.
 */

export type EdgeMode =
  /** One sender port to one receiver port. Several senders into one receiver make a merge. */
  | "direct"
  /** One sender port to several receivers; `send(data, { to: key })` picks one. */
  | "demux";

export interface Edge {
  from: PortRef;
  to: PortRef;
  mode: EdgeMode;
  key: string;
  /** The sender's credential on this edge: a receiver refuses connections whose hello lacks one it was given. */
  token: string;
  site: Callsite | undefined;
}

const newToken = () => crypto.randomBytes(18).toString("base64url");

/** What the port graph needs of a node (deploy/nodes/node.ts DeployNode): ports.ts stays below the nodes. */
export interface WiredNode {
  readonly name: string;
  /** What its ports carry: framed messages (services, the script's own ports) or raw TCP (process()). */
  readonly wireKind: "framed" | "raw";
  /** Where it runs; undefined for the config script itself (the deployer's machine). */
  readonly host: Host | undefined;
  /**
   * When its receiving ports accept connections: at `bind` (the runtime listens and reports
   * back) or only once `start` has run the program (a process() binds its ports itself).
   */
  readonly listensAfter: "bind" | "start";
  /** The Deployment that declared it, which records its edges. */
  readonly owner: { wire(edge: Edge): void };
  /** For messages: `service "echo_server" on localhost`. */
  describe(): string;
}

/** The same port of several nodes, wired as one: a cluster's (deploy/nodes/cluster.ts), whose members are addressed by id. */
export interface PortGroup {
  /** The port of each member, by id (0 …). */
  members(): PortRef[];
}

/** A named port of a service, process or external endpoint, as the config script refers to it. */
export class PortRef {
  constructor(
    readonly node: WiredNode,
    readonly name: string,
  ) {}

  toString(): string {
    return `${this.node.name}.${this.name}`;
  }

  /**
   * Sends everything this port sends to `receiver`; to a group of ports (a cluster's), sends to one
   * member by id: `send(data, { to: id })`.
   */
  connect(receiver: PortRef | PortGroup): void {
    if (receiver instanceof PortRef) {
      this.node.owner.wire({ from: this, to: receiver, mode: "direct", key: receiver.node.name, token: newToken(), site: callsite() });
    } else {
      this.demux(Object.fromEntries(receiver.members().map((port, id) => [String(id), port])));
    }
  }

  /** Sends to one of several receivers by key: a record's keys, or the receivers' service names. */
  demux(receivers: Record<string, PortRef> | PortRef[]): void {
    const site = callsite();
    const entries = Array.isArray(receivers) ? receivers.map((receiver) => [receiver.node.name, receiver] as const) : Object.entries(receivers);
    for (const [key, receiver] of entries) this.node.owner.wire({ from: this, to: receiver, mode: "demux", key, token: newToken(), site });
  }
}

/** Every problem with the wiring, each naming the ports and where the config made the edge. */
export function checkEdges(edges: readonly Edge[], owner: object): string[] {
  const problems: string[] = [];
  const at = (edge: Edge) => (edge.site ? `${formatCallsite(edge.site)}: ` : "");
  const sent = new Map<PortRef, Edge[]>();
  const received = new Set<PortRef>();
  for (const edge of edges) {
    if (edge.from.node.owner !== owner || edge.to.node.owner !== owner) {
      problems.push(`${at(edge)}cannot connect ${edge.from} to ${edge.to}: they belong to different Deployments`);
      continue;
    }
    if (edge.from.node.wireKind !== edge.to.node.wireKind) {
      problems.push(
        `${at(edge)}cannot connect ${edge.from} to ${edge.to}: a process() port carries raw TCP while service() and external() ports carry framed messages`,
      );
    }
    if (edge.mode === "demux" && edge.from.node.wireKind === "raw") {
      problems.push(`${at(edge)}port ${edge.from} of a process() has one address to substitute: it cannot demux`);
    }
    sent.set(edge.from, [...(sent.get(edge.from) ?? []), edge]);
    received.add(edge.to);
  }
  for (const [port, out] of sent) {
    if (received.has(port)) problems.push(`${at(out[0]!)}port ${port} is wired both as a sender and as a receiver`);
    const direct = out.filter((edge) => edge.mode === "direct");
    if (direct.length > 0 && direct.length < out.length) {
      problems.push(`${at(direct[0]!)}port ${port} is wired with both connect() and demux(); use one`);
    } else if (direct.length > 1) {
      problems.push(
        `${at(direct[1]!)}port ${port} is already connected to ${direct[0]!.to}${direct[0]!.site ? ` (at ${formatCallsite(direct[0]!.site)})` : ""}; to send to several receivers use demux()`,
      );
    }
    const keys = new Set<string>();
    for (const edge of out) {
      if (edge.mode === "demux" && keys.has(edge.key)) problems.push(`${at(edge)}port ${port} has two demux receivers with key '${edge.key}'`);
      keys.add(edge.key);
    }
  }
  return problems;
}

/** Checks the wired ports of one node against the ports its program declares. */
export function checkDeclared(node: WiredNode, declared: Record<string, PortDirection>, edges: readonly Edge[]): string[] {
  const problems: string[] = [];
  const names = Object.keys(declared);
  const list = names.length ? names.map((name) => `${name} (${declared[name] === "in" ? "source" : "sink"})`).join(", ") : "none";
  for (const edge of edges) {
    for (const [port, direction] of [
      [edge.from, "out"],
      [edge.to, "in"],
    ] as const) {
      if (port.node !== node) continue;
      const actual = declared[port.name];
      if (actual === undefined)
        problems.push(`${node.describe()} has no port '${port.name}' (wired at ${formatCallsite(edge.site) || "?"}); it declares: ${list}`);
      else if (actual !== direction && node.wireKind === "framed") {
        problems.push(
          `${node.describe()}: port '${port.name}' is a ${actual === "in" ? "source" : "sink"} but is wired as a ${direction === "in" ? "receiver" : "sender"} (at ${formatCallsite(edge.site) || "?"})`,
        );
      }
    }
  }
  return problems;
}

/**
 * Where a receiving port binds: TCP on the host's network address when a sender on another host
 * of the same network connects to it directly (port 0: the program picks and reports it);
 * otherwise a unix socket: senders on the same host use it, and so do tunnels from other networks,
 * whose end connects from the receiver's own machine.
 */
export function planBind(receiver: LaunchedHost, senders: LaunchedHost[], label: string): Address {
  return bindsTcp(receiver, senders) ? { kind: "tcp", host: receiver.networkAddress, port: 0 } : { kind: "unix", path: receiver.socketPath(label) };
}

/** Where a host is, as far as routing goes: launched, or as declared (`hydro plan`). */
export interface Placed {
  readonly network: string;
  /** The deployer's own machine. */
  readonly local: boolean;
}

/** A receiving port binds TCP when a sender on another host of its network dials it; otherwise a unix socket. */
export function bindsTcp<H extends Placed>(receiver: H, senders: readonly H[]): boolean {
  return senders.some((sender) => sender !== receiver && sender.network === receiver.network);
}

/**
 * How a sender on `from` reaches a receiver on `to`: at the receiver's own address (one host, or
 * one network), or through the deployer, with an SSH tunnel from it to a remote receiver's host
 * and/or a reverse one from a remote sender's host to it.
 */
export type Route = { readonly through: "direct" } | { readonly through: "deployer"; readonly tunnelTo: boolean; readonly tunnelFrom: boolean };

export function routeOf<H extends Placed>(from: H, to: H): Route {
  if (from === to || from.network === to.network) return { through: "direct" };
  return { through: "deployer", tunnelTo: !to.local, tunnelFrom: !from.local };
}

/**
 * The address a sender on `from` uses to reach a receiver bound at `address` on `to`: the same
 * address on the same host or network; between networks, through the deployer: an SSH tunnel
 * from the deployer to the receiver's host and/or from the sender's host to the deployer.
 */
export async function route(from: LaunchedHost, to: LaunchedHost, address: Address): Promise<Address> {
  const way = routeOf(from, to);
  if (way.through === "direct") return address;
  const atDeployer = way.tunnelTo ? await to.tunnelTo(address) : address;
  return way.tunnelFrom ? from.tunnelFrom(atDeployer) : atDeployer;
}

/** The receivers each sender port of `node` connects to, as reachable from where `node` runs. */
export async function targetsOf(
  node: WiredNode,
  edges: readonly Edge[],
  bound: Map<PortRef, Address>,
  placeOf: (node: WiredNode) => Promise<LaunchedHost>,
): Promise<Record<string, Target[]>> {
  const targets: Record<string, Target[]> = {};
  for (const edge of edges) {
    if (edge.from.node !== node) continue;
    const address = await route(await placeOf(node), await placeOf(edge.to.node), bound.get(edge.to)!);
    (targets[edge.from.name] ??= []).push({ key: edge.key, address, token: edge.token, ...(edge.to.node === node ? { self: true as const } : {}) });
  }
  return targets;
}

/** Who may connect to each receiving port of `node`: every sender wired to it, with its edge's credential. */
export function sendersOf(node: WiredNode, edges: readonly Edge[]): Record<string, Sender[]> {
  const senders: Record<string, Sender[]> = {};
  for (const edge of edges) {
    if (edge.to.node === node) (senders[edge.to.name] ??= []).push({ from: edge.from.node.name, token: edge.token });
  }
  return senders;
}
