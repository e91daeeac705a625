/** `hydro plan`'s output: the topology as text for people, or as a mermaid flowchart. */
import type { PlannedEdge, Topology, Transport } from "./topology-types.js";

export function describeTransport(transport: Transport): string {
  switch (transport.via) {
    case "unix socket":
      return "unix socket";
    case "tcp":
      return `TCP within ${transport.network}`;
    case "deployer":
      if (transport.tunnelFrom && transport.tunnelTo)
        return "through the deployer: a reverse SSH tunnel from the sender's host, an SSH tunnel to the receiver's";
      return transport.tunnelTo ? "SSH tunnel from the deployer to the receiver's host" : "reverse SSH tunnel from the sender's host to the deployer";
  }
}

/** Short, for a chart's edge labels. */
function transportLabel(transport: Transport): string {
  return transport.via === "deployer" ? "SSH tunnel" : transport.via === "tcp" ? "TCP" : "unix";
}

export function planText(topology: Topology): string {
  const programsOn = (host: string) => topology.programs.filter((program) => program.host === host);
  const lines = [`${topology.deployment}: planned, nothing started`, "", "hosts"];
  lines.push(
    ...columns(
      topology.hosts.map((host) => [
        host.name,
        host.kind,
        `network ${host.network}`,
        `programs: ${
          programsOn(host.name)
            .map((program) => program.name)
            .join(", ") || "none"
        }`,
      ]),
    ),
  );
  lines.push("", "programs");
  lines.push(
    ...columns(
      topology.programs.map((program) => [program.name, program.kind, `on ${program.host}`, program.cluster ? `member of cluster ${program.cluster}` : ""]),
    ),
  );
  lines.push("", "edges");
  if (topology.edges.length === 0) lines.push("  none");
  lines.push(...columns(edgeRows(topology)));
  return `${lines.join("\n")}\n`;
}

/**
 * A row per edge, except that a cluster's members are one `cluster.*`: the edges between the same
 * ports of the same clusters, with the same transport, are one row with their count (a cluster of
 * 32 wired to itself is 1024 edges).
 */
function edgeRows(topology: Topology): string[][] {
  const clusterOf = new Map(topology.programs.flatMap((program) => (program.cluster ? [[program.name, program.cluster] as const] : [])));
  const label = (port: string) => {
    const cut = port.lastIndexOf(".");
    const cluster = clusterOf.get(port.slice(0, cut));
    return cluster ? `${cluster}.*${port.slice(cut)}` : port;
  };
  const rows = new Map<string, { cells: string[]; count: number }>();
  for (const edge of topology.edges) {
    const cells = [`${label(edge.from)} → ${label(edge.to)}`, kindCell(edge), describeTransport(edge.transport)];
    const key = cells.join("\0");
    const row = rows.get(key);
    if (row) row.count++;
    else rows.set(key, { cells, count: 1 });
  }
  return [...rows.values()].map(({ cells: [ports, kind, transport], count }) => [ports!, count > 1 ? `${kind} ×${count}` : kind!, transport!]);
}

const kindCell = (edge: PlannedEdge) => (edge.key !== undefined && edge.kind !== "cluster" ? `${edge.kind} (key ${edge.key})` : edge.kind);

/** Rows as left-aligned columns, indented by two; empty trailing cells leave no trailing spaces. */
function columns(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`.trimEnd());
}

/** A mermaid flowchart: a box per network, in it a box per host, in that its programs; edges labelled with their kind and transport. */
export function planMermaid(topology: Topology): string {
  const id = new Map(topology.programs.map((program, i) => [program.name, `p${i}`]));
  const lines = ["flowchart LR"];
  const networks = [...new Set(topology.hosts.map((host) => host.network))];
  networks.forEach((network, n) => {
    lines.push(`  subgraph n${n}["network ${quote(network)}"]`);
    topology.hosts.forEach((host, h) => {
      if (host.network !== network) return;
      lines.push(`    subgraph h${h}["${quote(host.name)} (${quote(host.kind)})"]`);
      for (const program of topology.programs) {
        if (program.host === host.name) lines.push(`      ${id.get(program.name)}["${quote(program.name)}<br/>${quote(program.kind)}"]`);
      }
      lines.push("    end");
    });
    lines.push("  end");
  });
  for (const edge of topology.edges) {
    const [from, to] = [programOf(edge.from, id), programOf(edge.to, id)];
    const arrow = edge.transport.via === "deployer" ? "-.->" : "-->";
    lines.push(
      `  ${from} ${arrow}|"${quote(edge.from.slice(edge.from.lastIndexOf(".") + 1))} → ${quote(edge.to.slice(edge.to.lastIndexOf(".") + 1))}: ${edge.kind}, ${transportLabel(edge.transport)}"| ${to}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The chart id of the program a `program.port` belongs to (program names may contain dots: cluster members). */
function programOf(port: string, id: Map<string, string>): string {
  return id.get(port.slice(0, port.lastIndexOf(".")))!;
}

/** Text inside a mermaid label's double quotes: its own quotes, and what mermaid reads as markup, as entities. */
function quote(text: string): string {
  return text.replace(/[&"<>#]/g, (c) => `#${c.charCodeAt(0)};`);
}
