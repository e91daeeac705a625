import type { Address } from "../runtime/protocol.js";
import { ConfigError, combine } from "./errors.js";
import type { DescribeStep } from "./events.js";
import type { Host, LaunchedHost } from "./host.js";
import type { LaunchedHosts } from "./launched-hosts.js";
import type { DeployNode } from "./nodes/node.js";
import { checkDeclared, checkEdges, planBind, targetsOf, type Edge, type PortRef, type WiredNode } from "./ports.js";
import { settleAll } from "./settle-all.js";

/** What deploy() brings up, and how it reports and stops. */
export interface BringUp {
  /** The Deployment: edges to another one's nodes are refused. */
  readonly owner: object;
  readonly nodes: readonly DeployNode[];
  readonly edges: readonly Edge[];
  /** Where nodes without a host (the config script's own ports) live: the deployer's machine. */
  readonly localhost: Host;
  readonly hosts: LaunchedHosts;
  /** Runs `work` as the step `deploy › …path` of the deployment. */
  step<T>(path: string[], work: () => Promise<T>, describe?: DescribeStep<T>): Promise<T>;
  /** Throws once teardown has begun, between phases: nothing more starts. */
  throwIfTornDown(): void;
}

/**
 * The phases of deploy(), in order: check what can be checked without starting anything, prepare
 * (bundle), launch the hosts, bind every node's receiving ports, then start every node with the
 * addresses of its receivers. Each phase waits for all of its tasks (settleAll), so a failure
 * leaves nothing half-started behind it; the caller tears down.
 */
export async function bringUp(up: BringUp): Promise<void> {
  await checkAndBundle(up);
  up.throwIfTornDown();
  const placeOf = (node: WiredNode) => node.host ?? up.localhost;
  await up.step(["hosts"], () => settleAll([...new Set(up.nodes.map(placeOf))].map((host) => up.hosts.launch(host))));
  const launchedOf = (node: WiredNode) => up.hosts.launch(placeOf(node));

  const bound = new Map<PortRef, Address>();
  up.throwIfTornDown();
  await up.step(["bind"], () =>
    settleAll(
      up.nodes.map((node) =>
        up.step(["bind", node.name], async () => {
          const result = await node.bind(await launchedOf(node), await bindPlan(up.edges, node, launchedOf));
          if (result.declared) {
            const problems = checkDeclared(node, result.declared, up.edges);
            if (problems.length) throw combine(problems, ConfigError);
          }
          for (const [name, address] of Object.entries(result.bound)) bound.set(node.ports[name]!, address);
        }),
      ),
    ),
  );

  up.throwIfTornDown();
  await up.step(["start"], async () => {
    for (const wave of startWaves(up.nodes, up.edges)) {
      await settleAll(wave.map((node) => up.step(["start", node.name], async () => node.start(await targetsOf(node, up.edges, bound, launchedOf)))));
    }
  });
}

/** What deploy() does before touching a host, and all `hydro plan` does: check everything it can, and bundle the programs. */
export async function checkAndBundle(up: Pick<BringUp, "owner" | "nodes" | "edges" | "step">): Promise<void> {
  validate(up);
  const preparing = up.nodes.filter((node) => node.prepare);
  await up.step(["bundle"], () =>
    settleAll(
      preparing.map((node) =>
        up.step(
          ["bundle", node.name],
          () => node.prepare!(),
          (prepared) => prepared,
        ),
      ),
    ),
  );
}

/** Everything that can be checked without starting anything: the wiring, and the ports of programs that list theirs. */
function validate(up: Pick<BringUp, "owner" | "nodes" | "edges">): void {
  const problems = checkEdges(up.edges, up.owner);
  for (const node of up.nodes) {
    const declared = node.declaredPorts;
    if (declared) problems.push(...checkDeclared(node, declared, up.edges));
  }
  if (problems.length) throw combine(problems, ConfigError);
}

/**
 * A node that dials once (a process()) and sends to a node that listens only once started (another
 * process()) starts in a second wave, after its receivers accept connections.
 */
function startWaves(nodes: readonly DeployNode[], edges: readonly Edge[]): DeployNode[][] {
  const waitsForReceivers = (node: DeployNode) => node.dialsOnce && edges.some((edge) => edge.from.node === node && edge.to.node.listensAfter === "start");
  return [nodes.filter((node) => !waitsForReceivers(node)), nodes.filter(waitsForReceivers)];
}

/** Where each wired receiving port of `node` binds, given where its senders run. */
async function bindPlan(edges: readonly Edge[], node: DeployNode, launchedOf: (node: WiredNode) => Promise<LaunchedHost>): Promise<Record<string, Address>> {
  const senders = new Map<string, WiredNode[]>();
  for (const edge of edges) {
    if (edge.to.node === node) senders.set(edge.to.name, [...(senders.get(edge.to.name) ?? []), edge.from.node]);
  }
  const plan: Record<string, Address> = {};
  for (const [port, from] of senders) {
    plan[port] = planBind(await launchedOf(node), await Promise.all(from.map(launchedOf)), `${node.name}.${port}`);
  }
  return plan;
}
