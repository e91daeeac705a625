import type { DeploymentOptions } from "../options.js";
import type { Edge } from "../ports.js";
import type { MetricSample } from "../metrics/sample.js";

/**
 * What declared a node (the Deployment), as the node sees it: the cure for what was an import
 * cycle between the Deployment and every node kind (as HostOwner is for hosts, deploy/host.ts).
 * A new node kind needs this and nothing else of the Deployment.
 */
export type Phase = "declaring" | "deploying" | "running" | "torn down";

export interface NodeOwner {
  /** The deployment's id: part of every program's marker (deploy/containment.ts). */
  readonly id: string;
  /** What messages call it (`new Deployment({ name })`, else `deployment <id>`). */
  readonly name: string;
  /** Where the deployment is in its life: a program is restarted or killed only while it is `running`. */
  readonly phase: Phase;
  /** Its timeouts and heartbeat. */
  readonly options: DeploymentOptions;
  /** Where its steps sit in the progress tree (a sweep's point). */
  readonly stepsUnder: readonly string[];
  /** Every edge wired so far; complete once deploy() has begun. */
  readonly edges: readonly Edge[];
  /** Records an edge (PortRef.connect / demux). */
  wire(edge: Edge): void;
  /** A program's new metrics sample: reported (`metric` events) and given to `metrics()` iterators. */
  metric(sample: MetricSample): void;
}
