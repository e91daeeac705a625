import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Deployment } from "../deployment.js";
import { ConfigError } from "../errors.js";
import { MetricStream } from "./stream.js";
import { GroupSamples } from "./group-samples.js";
import type { MetricSample } from "./sample.js";
import { collect, fixture } from "../../test/helpers.js";

const sample = (program: string, at: number): MetricSample => ({ program, run: 1, at, cpu: 0, rss: 0, ports: {} });

describe("metrics", () => {
  test("metricsIntervalMs takes 0 (none) or at least 100 ms; anything else is one line naming it and the config's line", () => {
    for (const given of [50, -1, 1.5, "1000", null]) {
      assert.throws(
        () => new Deployment({ metricsIntervalMs: given as number }),
        (error: Error) =>
          error instanceof ConfigError &&
          /metrics\.test\.ts:\d+:\d+: new Deployment\(\): metricsIntervalMs: /.test(error.message) &&
          !error.message.includes("\n"),
        String(given),
      );
    }
    for (const fine of [0, 100, 60_000]) new Deployment({ metricsIntervalMs: fine });
  });

  test("with metricsIntervalMs: 0 no program reports any, and d.metrics() ends at teardown having yielded nothing", async () => {
    const d = new Deployment({ metricsIntervalMs: 0 });
    const relay = d.service({ name: "relay", src: fixture("relay.ts"), on: d.localhost() });
    const samples = d.metrics();
    await d.deploy();
    try {
      await sleep(1_500);
      assert.equal(relay.metrics(), undefined);
    } finally {
      await d.teardown();
    }
    assert.deepEqual(await collect(samples), []);
  });

  test("a restarted program's samples are its new run's, with counters from zero; an iterator opened after teardown is ended", async () => {
    const d = new Deployment({ metricsIntervalMs: 200 });
    const relay = d.service({ name: "relay", src: fixture("relay.ts"), on: d.localhost() });
    const me = d.external({ name: "script" });
    me.ports.requests.connect(relay.ports.inbound);
    await d.deploy();
    try {
      me.ports.requests.send({ n: 1 });
      for await (const { run, ports } of d.metrics()) if (run === 1 && ports.inbound?.messages === 1) break;
      relay.kill();
      await relay.exitCode();
      // Opened before the restart: a break above ended the first iteration (as it ends any iterator).
      const samples = d.metrics();
      await relay.restart();
      for await (const { run, ports } of samples) {
        if (run !== 2) continue;
        assert.equal(ports.inbound?.messages, 0);
        break;
      }
      assert.equal(relay.metrics()!.run, 2);
    } finally {
      await d.teardown();
    }
    assert.deepEqual(await collect(d.metrics()), []);
  });

  test("a process()'s exit is reported when it exits, not when its watchdog's sampler next wakes", async () => {
    const d = new Deployment({ metricsIntervalMs: 10_000 });
    const quick = d.process({ name: "quick", command: "sleep 0.3", on: d.localhost() });
    try {
      await d.deploy();
      const started = performance.now();
      assert.equal(await quick.exitCode(), 0);
      const ms = performance.now() - started;
      assert.ok(ms < 5_000, `the exit was reported ${ms.toFixed(0)} ms after deploy, within the sampler's 10 s sleep`);
    } finally {
      await d.teardown();
    }
  });

  test("GroupSamples: a sample line is taken out of stderr, also when it ends a line the program left unfinished; others pass as they are", () => {
    const samples = new GroupSamples();
    assert.deepEqual(samples.read("plain text"), { text: "plain text", measures: undefined });
    assert.deepEqual(samples.read(`hydro-metrics:someone-else 1 2`), { text: "hydro-metrics:someone-else 1 2", measures: undefined });
    const whole = samples.read(`${samples.mark} 0 4096`);
    assert.equal(whole.text, undefined);
    assert.equal(whole.measures?.rss, 4096);
    const after = samples.read(`downloading 45%${samples.mark} 500 8192`);
    assert.equal(after.text, "downloading 45%");
    assert.equal(after.measures?.rss, 8192);
    assert.ok(after.measures!.cpu > 0, "500 ms of CPU since the last sample");
    assert.deepEqual(samples.read(`${samples.mark} x y`), { text: undefined, measures: undefined });
  });

  test("MetricStream: an iterator gets what arrives after it opens; one left unread keeps the newest 4096; return() leaves; end() ends a waiting next()", async () => {
    const stream = new MetricStream();
    stream.push(sample("early", 0));
    const reader = stream.iterate();
    for (let at = 1; at <= 5000; at++) stream.push(sample("p", at));
    const first = await reader.next();
    assert.equal(first.value?.at, 5000 - 4096 + 1);

    const leaving = stream.iterate();
    await leaving.return!();
    const waiting = reader.next();
    stream.end();
    let read = 1;
    for (let next = await waiting; !next.done; next = await reader.next()) read++;
    assert.equal(read, 4096);
    assert.deepEqual(await leaving.next(), { value: undefined, done: true });

    // return() while a next() waits ends that next() too, and drops what was queued.
    const other = new MetricStream();
    const waiting2 = other.iterate();
    const pending = waiting2.next();
    await waiting2.return!();
    assert.deepEqual(await pending, { value: undefined, done: true });
  });
});
