/** What `hydro plan` prints and the `topology` event carries: a deployment's hosts, programs and edges, as plain data (computed by topology.ts). */

export interface Topology {
  readonly deployment: string;
  readonly hosts: readonly PlannedHost[];
  readonly programs: readonly PlannedProgram[];
  readonly edges: readonly PlannedEdge[];
}

export interface PlannedHost {
  readonly name: string;
  /** `localhost`, `ssh`, `aws`, `gcp`, or a plug-in's kind. */
  readonly kind: string;
  readonly network: string;
}

export interface PlannedProgram {
  readonly name: string;
  /** `service`, `process`, or `external` (the config script's own ports). */
  readonly kind: string;
  /** Its host's name; the config script's own ports are on the deployer's machine (localhost). */
  readonly host: string;
  /** The cluster it is a member of. */
  readonly cluster?: string;
}

/** `direct`: one sender to one receiver; `merge`: one of several senders into a port; `demux`: a sender picking receivers by key; `cluster`: to or from a cluster's member. */
export type EdgeKind = "direct" | "merge" | "demux" | "cluster";

export type Transport =
  | { readonly via: "unix socket" }
  | { readonly via: "tcp"; readonly network: string }
  | { readonly via: "deployer"; readonly tunnelTo: boolean; readonly tunnelFrom: boolean };

export interface PlannedEdge {
  /** `program.port` */
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** The demux key (a receiver's name, or a cluster member's id). */
  readonly key?: string;
  readonly transport: Transport;
  /** Where the config wired it. */
  readonly site?: string;
}
