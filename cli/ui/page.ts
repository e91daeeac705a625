/// <reference lib="dom" />
/**
 * The web view's page: one document with its style and script inline (no framework, nothing
 * fetched from the network). The script is `client` below, written in TypeScript here and inlined
 * as its source text, so it is type-checked with the rest yet runs in the browser alone.
 */
import type { Change, Snapshot } from "./state.js";

/** Runs in the browser: reads the event stream, keeps the snapshot, redraws at most 4 times a second. */
function client(): void {
  type Program = Snapshot["programs"][string];
  const token = new URLSearchParams(location.search).get("token") ?? "";
  let snapshot: Snapshot = { topology: undefined, programs: {}, output: [], timeline: [] };
  let dirty = true;
  const $ = (id: string) => document.getElementById(id)!;
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  const events = new EventSource(`/events?token=${encodeURIComponent(token)}`);
  events.addEventListener("snapshot", (message) => {
    snapshot = JSON.parse((message as MessageEvent).data) as Snapshot;
    dirty = true;
  });
  events.onmessage = (message) => {
    apply(JSON.parse(message.data as string) as Change);
    dirty = true;
  };
  events.onerror = () => ($("status").textContent = "disconnected (the run has ended?)");
  events.onopen = () => ($("status").textContent = "live");

  function apply(change: Change): void {
    const program = (name: string): Program | undefined => snapshot.programs[name];
    if (change.kind === "topology") snapshot = { ...snapshot, topology: change.topology, programs: change.programs };
    else if (change.kind === "program") Object.assign(program(change.program.name) ?? {}, change.program);
    else if (change.kind === "sample") {
      const samples = program(change.sample.program)?.samples;
      if (samples && samples.push(change.sample) > 60) samples.shift();
    } else if (change.kind === "line") {
      if (snapshot.output.push(change.line) > 1000) snapshot.output.shift();
    } else if (snapshot.timeline.push(change.entry) > 500) snapshot.timeline.shift();
  }

  /** A polyline of `values` (newest right), scaled to its own maximum. */
  function sparkline(values: number[], label: string): string {
    if (values.length < 2) return `<svg class="spark" aria-label="${label}"></svg>`;
    const max = Math.max(...values, 1e-9);
    const points = values.map((v, i) => `${((i / (values.length - 1)) * 100).toFixed(1)},${(20 - (v / max) * 18).toFixed(1)}`).join(" ");
    return `<svg class="spark" viewBox="0 0 100 20" preserveAspectRatio="none" aria-label="${label}"><polyline points="${points}"/></svg>`;
  }

  /** Messages per second on each port over the last two samples. */
  function rates(program: Program): string {
    const [before, last] = program.samples.slice(-2);
    if (!before || !last || before.run !== last.run) return "";
    const seconds = (last.at - before.at) / 1000;
    return Object.entries(last.ports)
      .map(
        ([port, now]) =>
          `${escape(port)} ${now.direction === "in" ? "⇤" : "⇥"} ${Math.round((now.messages - (before.ports[port]?.messages ?? 0)) / seconds)}/s`,
      )
      .join(", ");
  }

  function render(): void {
    const topology = snapshot.topology;
    $("title").textContent = topology ? topology.deployment : "waiting for deploy()";
    const hostOf = new Map((topology?.programs ?? []).map((p) => [p.name, p.host]));
    const rows = Object.values(snapshot.programs).map((program) => {
      const last = program.samples.at(-1);
      const state = program.state === "exited" ? `exited ${program.exit ?? ""}` : program.state;
      return (
        `<tr data-program="${escape(program.name)}"><td>${escape(program.name)}</td><td>${escape(hostOf.get(program.name) ?? "")}</td>` +
        `<td><span class="state ${program.state}">${escape(state)}</span>${program.run > 1 ? ` <span class="run">run ${program.run}</span>` : ""}</td>` +
        `<td>${sparkline(
          program.samples.map((s) => s.cpu),
          "cpu",
        )} ${last ? `${(100 * last.cpu).toFixed(0)}%` : ""}</td>` +
        `<td>${sparkline(
          program.samples.map((s) => s.rss),
          "rss",
        )} ${last ? `${(last.rss / 2 ** 20).toFixed(0)} MB` : ""}</td><td>${rates(program)}</td></tr>`
      );
    });
    $("programs").innerHTML = rows.join("");
    $("edges").innerHTML = (topology?.edges ?? [])
      .map((edge) => `<tr><td>${escape(edge.from)} → ${escape(edge.to)}</td><td>${edge.kind}</td><td>${edge.transport.via}</td></tr>`)
      .join("");
    const filter = ($("filter") as HTMLInputElement).value;
    const lines = snapshot.output.map(({ program, line }) => `[${program}] ${line}`).filter((line) => line.includes(filter));
    const output = $("output");
    const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
    output.textContent = lines.slice(-300).join("\n");
    if (atBottom) output.scrollTop = output.scrollHeight;
    $("timeline").innerHTML = snapshot.timeline
      .slice(-100)
      .reverse()
      .map((entry) => `<li class="${entry.kind}"><time>${new Date(entry.at).toLocaleTimeString()}</time> ${escape(entry.text)}</li>`)
      .join("");
  }

  $("filter").addEventListener("input", () => (dirty = true));
  setInterval(() => {
    if (!dirty) return;
    dirty = false;
    render();
  }, 250);
}

export const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>hydro run</title>
<link rel="icon" href="data:,">
<style>
body { font: 13px system-ui, sans-serif; margin: 1em 2em; color: #222; background: #fcfcfa; }
h1 { font-size: 1.3em; margin: 0 0 .3em; } h2 { font-size: 1.05em; margin: 1.2em 0 .4em; }
#status { color: #777; font-size: .9em; }
table { border-collapse: collapse; } td { padding: 2px 10px 2px 0; vertical-align: middle; white-space: nowrap; }
.spark { width: 80px; height: 18px; vertical-align: middle; } .spark polyline { fill: none; stroke: #d2691e; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.state { padding: 0 6px; border-radius: 3px; background: #ddd; } .running { background: #bfe6bf; } .paused { background: #f5e19b; }
.exited { background: #f3b9b0; } .stopped { background: #ccd; } .run { color: #555; }
#output { background: #111; color: #ddd; padding: 6px; max-height: 22em; overflow: auto; font: 12px monospace; }
#timeline { list-style: none; padding: 0; max-height: 20em; overflow: auto; } #timeline time { color: #888; }
.error { color: #b00; } .program { color: #036; } .network { color: #630; }
</style>
</head>
<body>
<h1 id="title">hydro run</h1><div id="status">connecting…</div>
<h2>Programs</h2>
<table><thead><tr><td>program</td><td>host</td><td>state</td><td>CPU</td><td>RSS</td><td>messages</td></tr></thead><tbody id="programs"></tbody></table>
<h2>Edges</h2><table><tbody id="edges"></tbody></table>
<h2>Output</h2><input id="filter" placeholder="filter lines" size="40"><pre id="output"></pre>
<h2>Timeline</h2><ul id="timeline"></ul>
<script>var __name = (f) => f; (${client.toString()})();</script>
</body>
</html>
`;
