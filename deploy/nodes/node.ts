import type { Address, PortDirection, Target } from "../../runtime/protocol.js";
import type { EdgeCount, EdgeRule } from "../../runtime/faults/edge-fault.js";
import type { Callsite } from "../callsite.js";
import type { Host, LaunchedHost } from "../host.js";
import { PortRef, type WiredNode } from "../ports.js";
import type { NodeOwner } from "./owner.js";

/** What a node reports once its server ports are bound. */
export interface BindResult {
  bound: Record<string, Address>;
  /** The ports the program declared, when only the running program knows them (service()). */
  declared?: Record<string, PortDirection>;
}

/** What a sender said when given its faults: which run of it answered, and what the faults did on its edges in that run. */
export interface FaultReport {
  run: number;
  counts: EdgeCount[];
}

/**
 * Anything with ports in a deployment: a service, a process, or an external endpoint held by
 * the config script. Deployment.deploy() drives every node through the same phases:
 * prepare (before any host is touched) → bind → start → stop. A new node kind is a subclass in
 * a file of its own here; the core asks what it needs through the members below, never its class.
 */
export abstract class DeployNode implements WiredNode {
  /** What it is, in messages and `hydro plan`: `service`, `process`, `external`. */
  abstract readonly kind: string;
  abstract readonly wireKind: "framed" | "raw";
  abstract readonly host: Host | undefined;
  readonly listensAfter: "bind" | "start" = "bind";
  /**
   * True if its program dials its receivers once and gives up if nobody answers (any process()):
   * it starts after every receiver that listens only after start. Hydro's runtime retries.
   */
  readonly dialsOnce: boolean = false;
  readonly ports: Record<string, PortRef>;

  constructor(
    readonly owner: NodeOwner,
    readonly name: string,
    readonly site: Callsite | undefined,
  ) {
    const refs = new Map<string, PortRef>();
    this.ports = new Proxy({} as Record<string, PortRef>, {
      get: (_, name) => {
        if (typeof name !== "string") return undefined;
        let ref = refs.get(name);
        if (!ref) refs.set(name, (ref = this.portRef(name)));
        return ref;
      },
    });
  }

  protected portRef(name: string): PortRef {
    return new PortRef(this, name);
  }

  /** For messages: `service "echo_server" on localhost`. */
  abstract describe(): string;

  /**
   * The ports its program has, where they are known before anything starts (a process() lists
   * them); undefined where only the running program says (a service, at bind).
   */
  get declaredPorts(): Record<string, PortDirection> | undefined {
    return undefined;
  }

  /**
   * Work that needs no host (bundling), so its errors surface before anything starts; the step
   * `deploy › bundle › <name>` shows the detail it returns. Absent: nothing to prepare.
   */
  prepare?(): Promise<{ detail: string }>;

  /**
   * The network faults on its sending edges from now on, the whole set (deploy/faults/): applied
   * where it sends, before it resolves. Undefined when no run answered (a run killed, paused or
   * not started yet gets them when it starts or resumes). Absent: its traffic cannot be faulted
   * (a process()'s raw TCP).
   */
  applyFaults?(rules: EdgeRule[]): Promise<FaultReport | undefined>;

  /** Binds its server ports on `host`, where it runs (for the config script's own ports, the deployer's machine). */
  abstract bind(host: LaunchedHost, plan: Record<string, Address>): Promise<BindResult>;
  abstract start(targets: Record<string, Target[]>): Promise<void>;
  /** Graceful: asks, waits up to `timeoutMs` (by default its own or the deployment's stopTimeoutMs), then kills. */
  abstract stop(timeoutMs?: number): Promise<void>;
  /** At once, without waiting (second Ctrl-C). */
  abstract killAtOnce(): void;
}
