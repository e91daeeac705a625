import type { Address, PortDirection, Target } from "../../runtime/protocol.js";
import type { Callsite } from "../callsite.js";
import type { Host, LaunchedHost } from "../host.js";
import { PortRef } from "../ports.js";
import type { Deployment } from "../deployment.js";

/** What a node reports once its server ports are bound. */
export interface BindResult {
  bound: Record<string, Address>;
  /** The ports the program declared, when only the running program knows them (service()). */
  declared?: Record<string, PortDirection>;
}

/**
 * Anything with ports in a deployment: a service, a process, or an external endpoint held by
 * the config script. Deployment.deploy() drives every node through the same phases:
 * prepare (before any host is touched) → bind → start → stop.
 */
export abstract class DeployNode {
  /** What its ports carry: framed messages (services, the script's own ports) or raw TCP (process()). */
  abstract readonly wireKind: "framed" | "raw";
  /** Where it runs; undefined for the config script itself. */
  abstract readonly host: Host | undefined;
  readonly ports: Record<string, PortRef>;

  constructor(
    readonly deployment: Deployment,
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

  /** Work that needs no host (bundling), so its errors surface before anything starts. */
  async prepare(): Promise<void> {}

  /** Binds its server ports on `host`, where it runs (for the config script's own ports, the deployer's machine). */
  abstract bind(host: LaunchedHost, plan: Record<string, Address>): Promise<BindResult>;
  abstract start(targets: Record<string, Target[]>): Promise<void>;
  /** Graceful: asks, waits up to `timeoutMs`, then kills. */
  abstract stop(timeoutMs: number): Promise<void>;
  /** At once, without waiting (second Ctrl-C). */
  abstract kill(): void;
}
