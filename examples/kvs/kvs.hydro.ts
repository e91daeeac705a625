import { parseArgs } from "node:util";
import { Deployment } from "hydro-deploy";
import { RespClient } from "./resp-client.js";
import type { Partitioning } from "./partitioning.js";
import { declareStore, REPLICAS } from "./declare-store.js";
import { MAX_REPLICAS } from "./versioned.js";
import { integerOption, storeHosts } from "./cli-options.js";

/**
 * The replicated KVS: `hydro run examples/kvs/kvs.hydro.ts -- [--replicas 3 | --partitions P
 * --replication R] [--resp-port 6400] [--gossip-ms 100] [--anti-entropy-rounds 10] [--metrics-ms 1000] [--hosts cluster.json] [--serve]`.
 * The replicas are one cluster; member i, `replica.<i>`, serves Redis on port resp-port + i. With --serve it runs until Ctrl-C; without, it runs
 * a short workload, checks that every replica converged, and exits.
 */
export default async function main(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      replicas: { type: "string" },
      partitions: { type: "string" },
      replication: { type: "string" },
      "resp-port": { type: "string", default: "6400" },
      "gossip-ms": { type: "string", default: "100" },
      "anti-entropy-rounds": { type: "string", default: "10" },
      "metrics-ms": { type: "string", default: "1000" },
      hosts: { type: "string" },
      serve: { type: "boolean", default: false },
    },
  });
  const layout = partitioning(values);
  const respPort = integerOption("--resp-port", values["resp-port"], 1, 65535 - layout.partitions * layout.replication + 1);
  const gossipMs = integerOption("--gossip-ms", values["gossip-ms"], 1, 3_600_000);
  const antiEntropyRounds = integerOption("--anti-entropy-rounds", values["anti-entropy-rounds"], 0, 1_000_000);

  const metricsIntervalMs = integerOption("--metrics-ms", values["metrics-ms"], 0, 3_600_000);

  const d = new Deployment({ name: "kvs", metricsIntervalMs });
  const hosts = storeHosts(d, values.hosts);
  const { replicas } = declareStore(d, { layout, respPort, gossipMs, antiEntropyRounds, hosts });
  await d.deploy();
  for (const { service, host, port } of replicas) console.log(`${service.name}: redis-cli -h ${host} -p ${port}`);
  if (values.serve) {
    console.log("serving until Ctrl-C");
    const [name, code] = await Promise.race(replicas.map(async ({ service }) => [service.name, await service.exitCode()] as const));
    throw new Error(`${name} exited with code ${code}`);
  }
  await convergenceWorkload(
    replicas.map(({ host, port }) => `${host}:${port}`),
    gossipMs,
  );
}

/** `--replicas N` is N copies of one partition; `--partitions P --replication R` is P × R replicas. */
function partitioning(values: { replicas?: string; partitions?: string; replication?: string }): Partitioning {
  if (values.replicas !== undefined && (values.partitions !== undefined || values.replication !== undefined))
    throw new Error("kvs: give --replicas N, or --partitions P with --replication R, not both");
  const layout =
    values.partitions === undefined && values.replication === undefined
      ? { partitions: 1, replication: integerOption("--replicas", values.replicas ?? "3", 1, MAX_REPLICAS) }
      : {
          partitions: integerOption("--partitions", values.partitions ?? "1", 1, MAX_REPLICAS),
          replication: integerOption("--replication", values.replication ?? "1", 1, MAX_REPLICAS),
        };
  if (layout.partitions * layout.replication > MAX_REPLICAS)
    throw new Error(`kvs: --partitions × --replication must be at most ${MAX_REPLICAS}, got ${layout.partitions * layout.replication}`);
  return layout;
}

/** Writes keys round-robin across replicas, one key from all at once, and waits until all agree. */
async function convergenceWorkload(addresses: string[], gossipMs: number) {
  const clients = await Promise.all(addresses.map((address) => RespClient.connect(address)));
  try {
    const keys = Array.from({ length: 100 }, (_, i) => `key:${i}`);
    const started = Date.now();
    await Promise.all(keys.map((key, i) => clients[i % clients.length]!.command("SET", key, `value:${i}`)));
    await Promise.all(clients.map((client, i) => client.command("SET", "contended", `${REPLICAS}.${i}`)));
    const deadline = started + 5_000 + 20 * gossipMs;
    for (;;) {
      // One GET per key (pipelined): with partitions, an MGET of keys of several is refused.
      const views = await Promise.all(
        clients.map((client) => Promise.all([...keys, "contended"].map((key) => client.command("GET", key) as Promise<string | null>))),
      );
      const expected = keys.map((_, i) => `value:${i}`);
      const agreed = views.every((view) => view.slice(0, -1).every((value, i) => value === expected[i]) && view.at(-1) === views[0]!.at(-1));
      if (agreed) {
        console.log(
          `converged: ${keys.length + 1} keys on ${clients.length} replicas in ${Date.now() - started} ms; 'contended' = ${views[0]!.at(-1)} everywhere`,
        );
        return;
      }
      if (Date.now() > deadline) throw new Error(`kvs: replicas did not converge within ${deadline - started} ms`);
      await new Promise((resolve) => setTimeout(resolve, gossipMs));
    }
  } finally {
    for (const client of clients) client.close();
  }
}
