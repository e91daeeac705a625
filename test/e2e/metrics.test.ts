import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MetricSample } from "hydro-deploy";
import { suiteCluster } from "./cluster/suite-cluster.js";
import { fixture, hydro } from "../helpers.js";
import { frameBytes } from "../../runtime/port-test-kit.js";

const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";
const range = (count: number, message: (n: number) => unknown) => Array.from({ length: count }, (_, n) => message(n));

/**
 * `hydro run --json metrics.hydro.ts` (a busy program and a relay, 100 messages through the relay):
 * checks the `metric` events and the script's own view of them (`svc.metrics()`).
 */
async function checkMetrics(args: string[]): Promise<void> {
  const result = await hydro(["run", "--json", fixture("metrics.hydro.ts"), ...args]);
  assert.equal(result.exitCode, 0, result.stderr);
  const events = result.stdout.split("\n").flatMap((line) => (line ? [JSON.parse(line) as { type: string; time: number; message?: string }] : []));
  // A metric event is a sample with the event's `type` and `time`.
  const samples = events.filter((event) => event.type === "metric").map(({ type: _, time: __, ...sample }) => sample as unknown as MetricSample);
  const of = (program: string) => samples.filter((sample) => sample.program === program);
  const [spinner, relay, burner] = [of("spinner"), of("relay"), of("burner")];
  assert.ok(spinner.length >= 2 && relay.length >= 1 && burner.length >= 2, `samples: ${samples.map((sample) => sample.program).join(", ")}`);

  for (const sample of samples) {
    assert.equal(sample.run, 1);
    // A node program holds tens of MB; a shell loop and its watchdog, a few.
    const atLeast = sample.program === "burner" ? 2 ** 20 : 10 * 2 ** 20;
    assert.ok(sample.rss > atLeast && sample.rss < 2 ** 30, `${sample.program}: rss ${sample.rss}`);
    assert.ok(sample.cpu >= 0 && sample.cpu < 2.5, `${sample.program}: cpu ${sample.cpu}`);
  }
  // One core kept busy (shared with the machine's other work, so generously), against a relay at rest.
  assert.ok(spinner.at(-1)!.cpu > 0.3, `spinner cpu ${spinner.at(-1)!.cpu}`);
  // The process() sampled from /proc by its watchdog: its process group, the shell loop in it.
  assert.ok(burner.at(-1)!.cpu > 0.3, `burner cpu ${burner.at(-1)!.cpu}`);
  assert.deepEqual(burner.at(-1)!.ports, {});
  assert.ok(relay.at(-1)!.cpu < 0.2, `relay cpu ${relay.at(-1)!.cpu}`);
  // About one a second each.
  for (const series of [spinner, burner]) {
    for (let i = 1; i < series.length; i++) {
      const gap = series[i]!.at - series[i - 1]!.at;
      assert.ok(gap > 300 && gap < 5_000, `${series[i]!.program}: samples ${gap} ms apart`);
    }
  }
  // The relay's ports, message for message and byte for byte.
  assert.deepEqual(relay.at(-1)!.ports, {
    inbound: { direction: "in", messages: 100, bytes: frameBytes(range(100, (n) => ({ n }))), invalid: 0, badFrames: 0, refused: 0 },
    outbound: { direction: "out", messages: 100, bytes: frameBytes(range(100, (n) => ({ n, from: "script" }))), dropped: 0 },
  });
  assert.deepEqual(spinner.at(-1)!.ports, {});

  // What the script saw through metrics() is the last sample the deployer got of each.
  const printed = events.find((event) => event.type === "log" && event.message?.startsWith("latest "))!;
  const latest = JSON.parse(printed.message!.slice("latest ".length)) as Record<string, MetricSample>;
  assert.deepEqual(latest.spinner, spinner.at(-1));
  assert.deepEqual(latest.relay, relay.at(-1));
  assert.deepEqual(latest.burner, burner.at(-1));
}

describe("metrics", () => {
  test("on localhost: each program's CPU and RSS (a service's port counters too) about once a second, as metric events and through metrics()", async () => {
    await checkMetrics([]);
  });

  describe("on SSH hosts", { skip: notRoot }, () => {
    const cluster = suiteCluster({ hosts: 2 });

    test("the same, from programs on two hosts", async () => {
      await checkMetrics(["--", cluster().manifestPath]);
    });
  });
});
