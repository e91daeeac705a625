import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Deployment } from "../deployment.js";
import { ConfigError } from "../errors.js";
import { MetricStream } from "./stream.js";
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
  });
});
