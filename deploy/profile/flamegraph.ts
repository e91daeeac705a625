/**
 * A flame graph of a CPU profile as one self-contained SVG: a bar per call path, as wide as the
 * time spent in it and what it called, callers below callees, hovering shows the time. Written
 * here rather than taken from a library: the npm renderers want a browser (d3-flame-graph,
 * speedscope, flame-chart-js) or read perf/DTrace stacks (flamegraph), not V8's call tree.
 */
import { functionLabel, selfTimes, type CpuProfile, type ProfileNode } from "./cpuprofile.js";

const WIDTH = 1200;
const ROW = 17;
const MARGIN = 10;
/** Bars narrower than this (px) are left out, with what they called. */
const MIN_WIDTH = 0.3;
const CHAR_WIDTH = 6.6;

export function flamegraphSvg(profile: CpuProfile, title: string): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = selfTimes(profile);
  const totals = new Map<number, number>();
  const total = (node: ProfileNode): number => {
    let sum = totals.get(node.id);
    if (sum === undefined) {
      sum = (self.get(node.id) ?? 0) + (node.children ?? []).reduce((acc, id) => acc + total(byId.get(id)!), 0);
      totals.set(node.id, sum);
    }
    return sum;
  };
  // The node nobody calls (V8 puts "(root)" first; a profile of 10,000 nodes is not searched pairwise).
  const called = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const root = profile.nodes.find((node) => !called.has(node.id)) ?? profile.nodes[0]!;
  const all = total(root);
  const scale = all > 0 ? (WIDTH - 2 * MARGIN) / all : 0;

  const bars: Array<{ node: ProfileNode; x: number; depth: number; width: number }> = [];
  const place = (node: ProfileNode, x: number, depth: number) => {
    const width = total(node) * scale;
    if (width < MIN_WIDTH) return;
    bars.push({ node, x, depth, width });
    let childX = x;
    for (const id of node.children ?? []) {
      const child = byId.get(id)!;
      place(child, childX, depth + 1);
      childX += total(child) * scale;
    }
  };
  place(root, MARGIN, 0);
  const depth = Math.max(0, ...bars.map((bar) => bar.depth)) + 1;
  const height = depth * ROW + 3 * MARGIN + ROW;

  const rects = bars.map(({ node, x, depth: level, width }) => {
    const label = node === root ? "all" : functionLabel(node);
    const ms = total(node) / 1000;
    const y = height - MARGIN - (level + 1) * ROW;
    const fits = Math.floor((width - 4) / CHAR_WIDTH);
    const text = fits >= 3 ? (label.length <= fits ? label : `${label.slice(0, fits - 2)}..`) : "";
    return (
      `<g><title>${escape(label)}: ${ms.toFixed(1)} ms, ${((100 * total(node)) / all).toFixed(1)}%</title>` +
      `<rect x="${x.toFixed(2)}" y="${y}" width="${width.toFixed(2)}" height="${ROW - 1}" fill="${color(label)}" rx="2"/>` +
      (text ? `<text x="${(x + 3).toFixed(2)}" y="${y + ROW - 5}">${escape(text)}</text>` : "") +
      `</g>`
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fdfdf6"/>`,
    `<text x="${WIDTH / 2}" y="${MARGIN + ROW - 4}" text-anchor="middle" font-size="14">${escape(title)}</text>`,
    ...rects,
    `</svg>`,
    "",
  ].join("\n");
}

/** Warm colours, the same for the same function in every graph. */
function color(label: string): string {
  let hash = 0;
  for (let i = 0; i < label.length; i++) hash = (hash * 31 + label.charCodeAt(i)) >>> 0;
  return `hsl(${hash % 50}, ${70 + (hash % 25)}%, ${55 + ((hash >> 8) % 15)}%)`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
