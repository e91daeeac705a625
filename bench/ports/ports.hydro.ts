import { Deployment, type Service } from "hydro-deploy";

/**
 * One bench/ports measurement on localhost; prints `result <number>`.
 *   throughput COUNT BYTES BATCH CODEC [batches]   sender → receiver, messages/s at the receiver
 *                                        (`batches`: the receiver iterates inbound.batches())
 *   pingpong COUNT BYTES WARMUP          pinger ↔ ponger, p99 round trip in µs
 *   external COUNT BYTES BATCH CODEC [batches]  sender → this script's external port, messages/s here
 *                                        (`batches`: the script iterates the port's batches())
 */
export default async function main([row, count = "1000000", bytes = "16", batchOrWarmup = "1000", codec = "json", batches = "no"]: string[]) {
  // BENCH_METRICS_MS: the programs' metrics interval (bench/ports --metrics-overhead); the default otherwise.
  const metrics = process.env.BENCH_METRICS_MS;
  const d = new Deployment(metrics === undefined ? {} : { metricsIntervalMs: Number(metrics) });
  const on = d.localhost();
  const sender = (name: string) =>
    d.service({ name, src: "./sender.ts", on, args: ["--count", count, "--bytes", bytes, "--batch", batchOrWarmup, "--codec", codec] });

  if (row === "throughput") {
    const receiver = d.service({
      name: "receiver",
      src: "./receiver.ts",
      on,
      args: ["--count", count, "--codec", codec, "--batches", batches === "batches" ? "yes" : "no"],
    });
    sender("sender").ports.out.connect(receiver.ports.inbound);
    await d.deploy();
    console.log(`result ${await reported(receiver, "rate")}`);
  } else if (row === "pingpong") {
    const pinger = d.service({ name: "pinger", src: "./pinger.ts", on, args: ["--count", count, "--bytes", bytes, "--warmup", batchOrWarmup] });
    const ponger = d.service({ name: "ponger", src: "./ponger.ts", on });
    pinger.ports.out.connect(ponger.ports.inbound);
    ponger.ports.out.connect(pinger.ports.back);
    await d.deploy();
    console.log(`result ${await reported(pinger, "p99")}`);
  } else if (row === "external") {
    const me = d.external({ name: "script" });
    sender("sender").ports.out.connect(me.ports.inbound);
    await d.deploy();
    let received = 0;
    let first = 0;
    const counted = () => {
      if (received++ === 0) first = performance.now();
      return received === Number(count);
    };
    if (batches === "batches") {
      bursts: for await (const burst of me.ports.inbound.batches()) for (const _ of burst) if (counted()) break bursts;
    } else {
      for await (const _ of me.ports.inbound) if (counted()) break;
    }
    console.log(`result ${((Number(count) - 1) / (performance.now() - first)) * 1000}`);
  } else throw new Error(`unknown row '${row}': throughput, pingpong or external`);
}

/** The number a service prints after `label`. */
async function reported(service: Service, label: string): Promise<number> {
  for await (const line of service.stdout()) {
    const match = new RegExp(`^${label} (\\S+)$`).exec(line);
    if (match) return Number(match[1]);
  }
  throw new Error(`${service.name} exited without printing '${label}'`);
}
