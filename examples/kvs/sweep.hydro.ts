import { parseArgs } from "node:util";
import { sweep, type Deployment, type Host } from "hydro-deploy";
import { declareStore } from "./declare-store.js";
import { freePorts } from "./free-ports.js";

/**
 * A benchmark sweep of the store against redis-server:
 * `hydro run examples/kvs/sweep.hydro.ts -- --replicas 1,2,3 --clients 10,50 --out results/
 * [--requests 100000] [--rerun]`. Each point deploys a cluster of N replicas (or N independent
 * redis-servers, the baseline series), runs one `redis-benchmark -t set,get` per replica as a
 * process() on this machine, sums their requests/s, and tears down. Writes results.json, results.csv and plot.svg.
 * The machine is declared once, on the sweep's host pool, and kept across the points: with
 * `pool.ssh(…)` or `pool.aws(…)` in its place it would be connected to, or booted, once.
 */
export default async function main(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      replicas: { type: "string", default: "1,2" },
      clients: { type: "string", default: "10,50" },
      requests: { type: "string", default: "100000" },
      out: { type: "string", default: "results" },
      rerun: { type: "boolean", default: false },
    },
  });
  const requests = positiveIntegers("--requests", values.requests)[0]!;
  await sweep({
    name: "kvs vs redis-server",
    grid: {
      server: ["kvs", "redis-server"],
      replicas: positiveIntegers("--replicas", values.replicas),
      clients: positiveIntegers("--clients", values.clients),
    },
    out: values.out,
    rerun: values.rerun,
    plot: { x: "clients", y: "throughput", series: ["server", "replicas"] },
    hosts: (pool) => pool.localhost(),
    run: async ({ server, replicas, clients }, d, machine) => {
      const targets = server === "kvs" ? await kvsReplicas(d, machine, replicas) : redisServers(d, machine, replicas);
      const benchmarks = targets.map((target) => benchmark(d, target, clients, requests));
      await d.deploy();
      const rates = await Promise.all(benchmarks.map((run) => run()));
      const set = rates.reduce((sum, rate) => sum + rate.SET, 0);
      const get = rates.reduce((sum, rate) => sum + rate.GET, 0);
      return { set, get, throughput: (set + get) / 2 };
    },
  });
}

function positiveIntegers(flag: string, text: string | undefined): number[] {
  const numbers = (text ?? "").split(",").map(Number);
  if (numbers.length === 0 || numbers.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`kvs sweep: ${flag} must be positive integers separated by commas, got '${text}'`);
  return numbers;
}

/** Where a redis-benchmark points: a fixed address, or a redis-server process's port to wire to. */
type Target = { host: string; port: number } | { process: ReturnType<Deployment["process"]> };

async function kvsReplicas(d: Deployment, machine: Host, replicas: number): Promise<Target[]> {
  const respPort = await freePorts(replicas);
  const hosts = [{ on: machine, address: "127.0.0.1" }];
  return declareStore(d, { layout: { partitions: 1, replication: replicas }, respPort, gossipMs: 100, hosts }).replicas;
}

function redisServers(d: Deployment, machine: Host, count: number): Target[] {
  return Array.from({ length: count }, (_, i) => ({
    process: d.process({
      name: `redis-server-${i}`,
      command: ["redis-server", "--bind", "127.0.0.1", "--port", "{port:main}", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
      on: machine,
      ports: { main: 0 },
    }),
  }));
}

/** Declares one redis-benchmark against `target`; the returned function waits for its SET and GET requests/s. */
function benchmark(d: Deployment, target: Target, clients: number, requests: number): () => Promise<{ SET: number; GET: number }> {
  const common = ["-c", String(clients), "-n", String(requests), "-t", "set,get", "--csv"];
  const run =
    "process" in target
      ? d.process({ command: ["redis-benchmark", "-h", "{host:server}", "-p", "{port:server}", ...common], on: d.localhost(), ports: { server: 0 } })
      : d.process({ command: ["redis-benchmark", "-h", target.host, "-p", String(target.port), ...common], on: d.localhost() });
  if ("process" in target) run.ports.server!.connect(target.process.ports.main!);
  const lines = run.stdout();
  return async () => {
    const rates: Record<string, number> = {};
    for await (const line of lines) {
      const match = /^"(SET|GET)","([0-9.]+)"/.exec(line);
      if (match) rates[match[1]!] = Number(match[2]);
    }
    const code = await run.exitCode();
    if (code !== 0 || rates.SET === undefined || rates.GET === undefined) throw new Error(`${run.name} exited with code ${code} without SET and GET rates`);
    return { SET: rates.SET, GET: rates.GET };
  };
}
