/** The config-script API: `import { Deployment } from "hydro-deploy"`. */
export { Deployment, type DeploymentInput } from "./deployment.js";
export { HostPool } from "./pool/host-pool.js";
export type { HostPoolInput, ServiceInput, ProcessInput, ExternalInput, ClusterInput } from "./options.js";
export type { Cluster, ClusterPort } from "./nodes/cluster.js";
export type { SshInput } from "./ssh/options.js";
export type { AwsInput } from "./aws/options.js";
export type { GcpInput } from "./gcp/options.js";
export type { Host } from "./host.js";
export type { Service } from "./nodes/service.js";
export type { ProcessNode } from "./nodes/process.js";
export type { External, ExternalPort } from "./nodes/external.js";
export type { PortRef } from "./ports.js";
export type { Network, Fault, FaultKind, EdgeCounts, Group, Party, PartitionInput, DelayInput, LossInput } from "./faults/network.js";
export { HydroError, ConfigError, HostError, HostLostError, ProgramFailedError, TornDownError, CloudError } from "./errors.js";
export { SshConnectError, type SshConnectReason } from "./ssh/errors.js";
export { addReporter, type DeployEvent, type Reporter } from "./events.js";
export { sweep, SweepPointError, type SweepOptions, type Metrics } from "./sweep/sweep.js";
export type { Grid, GridValue, Point } from "./sweep/grid.js";
export type { PlotOptions } from "./sweep/plot.js";
export { vegaLiteSvg } from "./vega-lite-svg.js";
export type { Received } from "../runtime/inbound.js";
export type { MetricSample, PortMetrics } from "./metrics/sample.js";

// The seam for a plug-in host kind (docs/ARCHITECTURE.md §2: adding a host kind).
export { registerHostKind, hostKind, type HostKind, type DeclarationSite, type PythonName, type CleanupSeam } from "./host-kind.js";
export { DeclaredHost } from "./host.js";
export type { HostOwner, LaunchContext, LaunchedHost, Command, RunningProcess, Exit, Shared } from "./host.js";
export type { CloudProvider, TaggedResource, VmStatus } from "./cloud/provider.js";
export type { ResourceRecord } from "./state/state-file.js";
export { parse as parseOptions, checkOwner } from "./options.js";
