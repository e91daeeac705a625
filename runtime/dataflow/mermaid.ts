import type { Plan, PlannedEdge } from "./plan.js";

/**
 * Renders a plan as a mermaid flowchart in the style of Hydroflow's pictures: one box per
 * subgraph (in-out tree) titled with its stratum, pull operators as ⏢ and push operators as ⏣,
 * thin arrows inside a subgraph, thick arrows for handoffs, dotted arrows into the next tick.
 */
export function toMermaid(plan: Plan, title?: string): string {
  const lines = [
    "%%{init:{'theme':'base','themeVariables':{'clusterBkg':'#ddd','clusterBorder':'#888'}}}%%",
    "flowchart TD",
    "classDef pullClass fill:#8af,stroke:#000,text-align:left,white-space:pre",
    "classDef pushClass fill:#ff8,stroke:#000,text-align:left,white-space:pre",
  ];
  if (title) lines.splice(2, 0, `%% ${title}`);
  const pushing = pushNodes(plan);
  plan.subgraphs.forEach((subgraph, i) => {
    lines.push(`subgraph sg_${i} ["sg_${i} stratum ${subgraph.stratum}"]`);
    for (const id of subgraph.nodes) {
      const node = plan.nodes[id]!;
      const text = escape([...node.scope, node.spec.label].join("/"));
      const [open, close] = pushing[id] ? ['[/"', '"\\]'] : ['[\\"', '"/]'];
      lines.push(`    n${id}${open}(n${id}) <code>${text}</code>${close}:::${pushing[id] ? "pushClass" : "pullClass"}`);
    }
    for (const edge of plan.edges) {
      if (edge.role === "internal" && plan.subgraphOf[edge.from] === i) lines.push(`    ${arrow(plan, edge)}`);
    }
    lines.push("end");
  });
  for (const edge of plan.edges) if (edge.role !== "internal") lines.push(arrow(plan, edge));
  return lines.join("\n") + "\n";
}

/**
 * Which operators are drawn push, as in the seed's pictures: an in-out tree pulls from its sources
 * and through every operator that merges inputs (a union, a join) and what feeds them; the first
 * operator after that is the pivot, which pulls and pushes, and it and everything after it push.
 * In the reachability graph the pivot is `flat_map`, between the join and the tee.
 */
function pushNodes(plan: Plan): boolean[] {
  const inDegree = new Array<number>(plan.nodes.length).fill(0);
  for (const e of plan.edges) inDegree[e.to]!++;
  const pulling = inDegree.map((n) => n !== 1);
  // Subgraph members are in topological order, so walking them backwards reaches every feeder.
  for (const subgraph of plan.subgraphs) {
    for (const id of [...subgraph.nodes].reverse()) {
      if (pulling[id]) continue;
      pulling[id] = plan.edges.some((e) => e.from === id && e.role === "internal" && pulling[e.to]!);
    }
  }
  return pulling.map((pull) => !pull);
}

function arrow(plan: Plan, edge: PlannedEdge): string {
  const from = plan.nodes[edge.from]!.spec;
  const to = plan.nodes[edge.to]!.spec;
  const parts: string[] = [];
  if (from.outputs.length > 1) parts.push(`${from.kind}[${from.outputs[edge.fromPort]}]`);
  if (to.inputs.length > 1) parts.push(`[${to.inputs[edge.toPort]!.name}]${to.kind}`);
  if (edge.role === "nextTick") parts.push("next tick");
  else if (edge.negated) parts.push("negated");
  else if (edge.blocking) parts.push("blocking");
  const label = parts.length > 0 ? `|"${escape(parts.join(" "))}"|` : "";
  const line = edge.role === "internal" ? "-->" : edge.role === "handoff" ? "==>" : "-.->";
  return `n${edge.from}${line}${label}n${edge.to}`;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "#quot;");
}
