import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { Deployment, vegaLiteSvg, type Service } from "hydro-deploy";
import { declareStore } from "./declare-store.js";
import { integerOption, storeHosts } from "./cli-options.js";
import { Workload } from "./faults/workload.js";
import { check, type FinalTable } from "./faults/check.js";
import { timelineCsv, timelineRows, timelineSpec, type FaultWindow } from "./faults/timeline.js";

/**
 * A Jepsen-style experiment on the KVS (examples/kvs/README.md, "The faults experiment"):
 * `hydro run examples/kvs/faults.hydro.ts -- [--hosts cluster.json] [--resp-port 6400]
 * [--phase-ms 2000] [--out kvs-faults] …` (the README lists every option). Three replicas under a steady load of real Redis clients;
 * one is partitioned away and healed, one is killed and restarted, one is paused and resumed. Then
 * it checks the history (faults/check.ts), prints the verdict, and writes timeline.svg and
 * timeline.csv. Exits 1 if the check fails.
 */
export default async function main(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      hosts: { type: "string" },
      "resp-port": { type: "string", default: "6400" },
      "gossip-ms": { type: "string", default: "100" },
      "anti-entropy-rounds": { type: "string", default: "10" },
      "phase-ms": { type: "string", default: "2000" },
      "interval-ms": { type: "string", default: "5" },
      "timeout-ms": { type: "string", default: "500" },
      "slack-ms": { type: "string", default: "5" },
      out: { type: "string", default: "kvs-faults" },
    },
  });
  const respPort = integerOption("--resp-port", values["resp-port"], 1, 65533);
  const gossipMs = integerOption("--gossip-ms", values["gossip-ms"], 1, 60_000);
  const antiEntropyRounds = integerOption("--anti-entropy-rounds", values["anti-entropy-rounds"], 0, 1_000_000);
  const phaseMs = integerOption("--phase-ms", values["phase-ms"], 100, 600_000);
  const intervalMs = integerOption("--interval-ms", values["interval-ms"], 1, 60_000);
  const timeoutMs = integerOption("--timeout-ms", values["timeout-ms"], 1, 600_000);
  const slackMs = integerOption("--slack-ms", values["slack-ms"], 0, 60_000);

  const d = new Deployment({ name: "kvs-faults" });
  const { cluster, replicas } = declareStore(d, {
    layout: { partitions: 1, replication: 3 },
    respPort,
    gossipMs,
    antiEntropyRounds,
    hosts: storeHosts(d, values.hosts),
  });
  await d.deploy();
  const addresses = replicas.map(({ host, port }) => `${host}:${port}`);
  const [r0, r1, r2] = [0, 1, 2].map((id) => cluster.members[id]!) as [Service, Service, Service];

  // Keys written once, before any fault, and never again: the restarted replica can hold them only from its peers.
  const before = Array.from({ length: 100 }, (_, i) => `before:${i}`);
  // Keys written only during the partition, on both sides: which write wins is settled only after it heals.
  const split = Array.from({ length: 10 }, (_, i) => `split:${i}`);
  const loaded = Array.from({ length: 16 }, (_, i) => `key:${i}`);
  const keys = [...before, ...split, ...loaded];
  const workload = await Workload.start({ addresses, before, keys: loaded, intervalMs, timeoutMs });

  const windows: FaultWindow[] = [];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const during = async (label: string, begin: () => unknown, end: () => unknown) => {
    const start = workload.now();
    await begin();
    await sleep(phaseMs);
    await end();
    windows.push({ label, start, end: workload.now() });
    const at = (t: number) => `${((t - workload.loadBegan) / 1000).toFixed(1)} s`;
    console.log(`${label}: ${at(start)} to ${at(workload.now())}`);
    await sleep(phaseMs);
  };
  await sleep(phaseMs);
  await during(
    `${r2.name} partitioned away`,
    async () => {
      await d.network.partition(r2, [r0, r1]);
      // The first half written last on the minority side (replica 2), the second half last on the majority's.
      await Promise.all([workload.writeEach(split.slice(0, 5), [0, 2], 20), workload.writeEach(split.slice(5), [2, 1], 20)]);
    },
    () => d.network.heal(),
  );
  await during(
    `${r1.name} killed, then restarted`,
    () => r1.kill(),
    () => r1.restart(),
  );
  await during(
    `${r0.name} paused`,
    () => r0.pause(),
    () => r0.resume(),
  );
  await workload.stop();
  const endMs = workload.now();

  const settled = performance.now();
  // Anti-entropy runs every 10 gossip rounds: allow many.
  const finals = await converged(addresses, keys, Math.max(10_000, 200 * gossipMs));
  const convergedMs = performance.now() - settled;
  const names = cluster.members.map((member) => member.name);
  const verdict = check(
    workload.history,
    finals.map((table, i) => ({ ...table, replica: names[i]! })),
    keys,
    slackMs,
  );

  fs.mkdirSync(values.out, { recursive: true });
  const rows = timelineRows(workload.history, names, workload.loadBegan, endMs);
  fs.writeFileSync(path.join(values.out, "timeline.csv"), timelineCsv(rows));
  const title = `kvs: 3 replicas under ${Math.round(3000 / intervalMs)} requests/s, with faults`;
  fs.writeFileSync(path.join(values.out, "timeline.svg"), await vegaLiteSvg(timelineSpec(rows, windows, workload.loadBegan, title)));

  const { stats } = verdict;
  const dropped = (await d.network.counts()).reduce((sum, edge) => sum + edge.dropped, 0);
  console.log(
    `${stats.requests} requests in ${((endMs - workload.loadBegan) / 1000).toFixed(1)} s: ${stats.answered} answered, ${stats.unanswered} not (a replica down, paused or cut off); ` +
      `${stats.writesAcknowledged} writes acknowledged, ${stats.writesSuperseded} of them replaced by later writes`,
  );
  console.log(`the partition dropped ${dropped} gossip messages; the replicas agreed ${Math.round(convergedMs)} ms after the load stopped`);
  console.log(
    `${r1.name} was restarted empty and holds all ${before.length} keys written before its crash: ${before.every((key) => finals[1]!.values.get(key) !== null)}`,
  );
  console.log(`wrote ${path.join(values.out, "timeline.svg")} and ${path.join(values.out, "timeline.csv")}`);
  if (verdict.valid) {
    console.log(`verdict: VALID: every replica holds the same ${stats.keys} keys, each the latest acknowledged write of it`);
  } else {
    for (const problem of verdict.problems) console.log(`  ${problem}`);
    throw new Error(`kvs faults: the check failed (verdict: INVALID, ${verdict.problemCount} problems, the first of each kind above)`);
  }
}

/** Each replica's table, read until all agree or `withinMs` passed (then as they are: the check names the differences). */
async function converged(addresses: string[], keys: readonly string[], withinMs: number): Promise<Omit<FinalTable, "replica">[]> {
  const clients = addresses.map((address) => new Redis({ host: address.slice(0, address.lastIndexOf(":")), port: Number(address.split(":").at(-1)) }));
  try {
    const deadline = performance.now() + withinMs;
    for (;;) {
      const tables = await Promise.all(
        clients.map(async (client) => {
          const values = await client.mget(...keys);
          return { values: new Map(keys.map((key, i) => [key, values[i] ?? null])), size: await client.dbsize() };
        }),
      );
      const same = tables.every((table) => table.size === tables[0]!.size && keys.every((key) => table.values.get(key) === tables[0]!.values.get(key)));
      if (same || performance.now() > deadline) return tables;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    for (const client of clients) client.disconnect();
  }
}
