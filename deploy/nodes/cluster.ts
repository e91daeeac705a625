import { callsite, formatCallsite, type Callsite } from "../callsite.js";
import { ConfigError } from "../errors.js";
import type { ClusterOptions } from "../options.js";
import type { PortGroup, PortRef } from "../ports.js";
import { ENV_CLUSTER, ENV_CLUSTER_ID, ENV_CLUSTER_SIZE } from "../../runtime/self.js";
import type { NodeOwner } from "./owner.js";
import { Service } from "./service.js";

/**
 * `count` members of one program, each a service named `<cluster>.<id>` that learns its id and the
 * cluster's size from the runtime's `self()`. Members are spread over the hosts round-robin. The
 * cluster's ports wire all members at once: sending to a cluster's port reaches one member by id
 * (`send(data, { to: id })`) or all (`broadcast`); a cluster's port sending to a port is a merge
 * whose `from` is the member's name; a cluster's port sending to a cluster's (its own included)
 * lets every member reach every member by id.
 */
export class Cluster {
  readonly members: readonly Service[];
  readonly ports: Record<string, ClusterPort>;

  constructor(
    owner: NodeOwner,
    readonly options: ClusterOptions,
    readonly site: Callsite | undefined,
  ) {
    this.members = Array.from(
      { length: options.count },
      (_, id) =>
        new Service(
          owner,
          {
            src: options.src,
            on: options.on[id % options.on.length]!,
            args: options.args,
            profile: options.profile,
            env: { ...options.env, [ENV_CLUSTER]: options.name, [ENV_CLUSTER_ID]: String(id), [ENV_CLUSTER_SIZE]: String(options.count) },
            name: `${options.name}.${id}`,
          },
          site,
        ),
    );
    const ports = new Map<string, ClusterPort>();
    this.ports = new Proxy({} as Record<string, ClusterPort>, {
      get: (_, port) => {
        if (typeof port !== "string") return undefined;
        let group = ports.get(port);
        if (!group) ports.set(port, (group = new ClusterPort(this, port)));
        return group;
      },
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** How many members it has. */
  get size(): number {
    return this.members.length;
  }
}

/** One port of every member of a cluster, wired as one. */
export class ClusterPort implements PortGroup {
  constructor(
    readonly cluster: Cluster,
    readonly name: string,
  ) {}

  members(): PortRef[] {
    return this.cluster.members.map((member) => member.ports[this.name]!);
  }

  /** Every member sends what this port sends to `receiver` (a port: a merge; a cluster's port: any member by id). */
  connect(receiver: PortRef | PortGroup): void {
    for (const port of this.members()) port.connect(receiver);
  }

  demux(): never {
    throw new ConfigError(
      `${formatCallsite(callsite())}: cluster "${this.cluster.name}": port '${this.name}': connect it to a port or to a cluster's port; demux() is per member (cluster.members[i].ports.${this.name})`,
    );
  }

  toString(): string {
    return `${this.cluster.name}.*.${this.name}`;
  }
}
