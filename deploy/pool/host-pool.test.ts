import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Deployment } from "../deployment.js";
import { HostPool } from "./host-pool.js";
import { ConfigError, HostError, TornDownError } from "../errors.js";
import { addReporter, type DeployEvent } from "../events.js";
import { registerHostKind } from "../host-kind.js";
import { DeclaredHost, type LaunchContext, type LaunchedHost } from "../host.js";
import { sweep } from "../sweep/sweep.js";
import { fixture, inTempDir, tempDir } from "../../test/helpers.js";
import { isAlive } from "../process-alive.js";
import { live } from "../registry.js";

/** This process's localhost run directories (`$TMPDIR/hydro-<pid>-XXXXXX`), one per launched localhost. */
const runDirs = () => fs.readdirSync(os.tmpdir()).filter((entry) => entry.startsWith(`hydro-${process.pid}-`));

/** A relay on `on`, driven from the script: one round trip, and the relay's pid (it writes it to a file). */
async function relayOnce(d: Deployment, on: ReturnType<HostPool["localhost"]>, n: number): Promise<number> {
  const marker = path.join(tempDir(), "pid");
  const relay = d.service({ name: "relay", src: fixture("relay.ts"), on, env: { MARKER: marker } });
  const driver = d.external({ name: "driver" });
  driver.ports.requests.connect(relay.ports.inbound);
  relay.ports.outbound.connect(driver.ports.replies);
  await d.deploy();
  driver.ports.requests.send({ n });
  for await (const { data } of driver.ports.replies) {
    assert.deepEqual(data, { n, from: "driver" });
    break;
  }
  return Number(fs.readFileSync(marker, "utf8"));
}

describe("a host pool keeps its hosts from one deployment to the next", () => {
  test("a pool's localhost is launched once; each deployment's programs and sockets go with it", async () => {
    const before = runDirs();
    const pool = new HostPool({ name: "kept" });
    const local = pool.localhost();
    const pids: number[] = [];
    let kept: string[] = [];
    for (let n = 0; n < 3; n++) {
      const d = new Deployment({ hosts: pool });
      pids.push(await relayOnce(d, local, n));
      const during = runDirs().filter((dir) => !before.includes(dir));
      // The pool's run directory and the deployment's own (for the script's ports).
      assert.equal(during.length, 2, `run directories: ${during.join(", ")}`);
      await d.teardown();
      const after = runDirs().filter((dir) => !before.includes(dir));
      assert.equal(after.length, 1, "the deployment's own localhost was released, the pool's kept");
      if (n === 0) kept = after;
      assert.deepEqual(after, kept, "the same run directory: the host was not launched again");
      assert.deepEqual(fs.readdirSync(path.join(os.tmpdir(), after[0]!)), [], "the deployment's sockets were removed");
      assert.equal(isAlive(pids[n]!), false, "the deployment's program was stopped");
    }
    assert.equal(new Set(pids).size, 3);
    assert.ok(live.has(pool), "a pool in use is live: Ctrl-C and the script's end release it");
    await pool.release();
    assert.deepEqual(
      runDirs().filter((dir) => !before.includes(dir)),
      [],
    );
    assert.equal(live.has(pool), false);
  });

  test("one deployment at a time: a second deploy() while the first runs is refused, naming both", async () => {
    const pool = new HostPool({ name: "busy" });
    const local = pool.localhost();
    const first = new Deployment({ name: "first", hosts: pool });
    first.process({ command: "sleep 100", on: local });
    await first.deploy();
    try {
      const second = new Deployment({ name: "second", hosts: pool });
      second.process({ command: "sleep 100", on: local });
      await assert.rejects(second.deploy(), (error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /host-pool\.test\.ts:\d+:\d+: deploy\(\): the hosts of busy are in use by first; tear it down before deploying second$/);
        return true;
      });
      await first.teardown();
      await second.deploy();
      await second.teardown();
    } finally {
      await pool.release();
    }
  });

  test("releasing the pool tears down the deployment using it; afterwards it can be neither deployed to nor declared on", async () => {
    const pool = new HostPool({ name: "gone" });
    const local = pool.localhost();
    const d = new Deployment({ name: "user", hosts: pool });
    const sleeper = d.process({ command: "sleep 100", on: local });
    await d.deploy();
    await pool.release();
    assert.equal(d.phase, "torn down");
    assert.notEqual((await sleeper.exitCode()) ?? "stopped", 0);
    const late = new Deployment({ name: "late", hosts: pool });
    late.process({ command: "true", on: local });
    await assert.rejects(
      late.deploy(),
      (error) => error instanceof TornDownError && /deploy\(\) of late: given up, its host pool gone was released/.test(error.message),
    );
    assert.throws(
      () => pool.ssh({ host: "10.0.0.1", privateKey: "x" }),
      /host-pool\.test\.ts:\d+:\d+: ssh\(\): gone is released; declare hosts on a pool before releasing it/,
    );
  });

  describe("bad input names what is wrong and where", () => {
    const cases: Array<{ name: string; build: () => unknown; message: RegExp }> = [
      {
        name: "hosts that are not a pool",
        build: () => new Deployment({ hosts: {} as HostPool }),
        message: /host-pool\.test\.ts:\d+:\d+: new Deployment\(\): hosts: expected a HostPool, got an object \(Object\)$/,
      },
      {
        name: "hosts given as a string",
        build: () => new Deployment({ hosts: "pool" as never }),
        message: /new Deployment\(\): hosts: expected a HostPool, got "pool"$/,
      },
      {
        name: "a host of a pool the deployment was not given",
        build: () => new Deployment().process({ command: "true", on: new HostPool().localhost() }),
        message: /host-pool\.test\.ts:\d+:\d+: process\(\): on: host "localhost" belongs to another Deployment or HostPool; .*\{ hosts: pool \}/,
      },
      {
        name: "the pool given as the options",
        build: () => new Deployment(new HostPool() as never),
        message: /host-pool\.test\.ts:\d+:\d+: new Deployment\(\): a HostPool is given as an option: new Deployment\(\{ hosts: pool \}\)$/,
      },
      { name: "a bad pool name", build: () => new HostPool({ name: "has space" }), message: /new HostPool\(\): name: use letters/ },
      { name: "an unknown pool option", build: () => new HostPool({ hots: 1 } as never), message: /new HostPool\(\): options: .*hots/ },
      {
        name: "a cloud host name used twice in a pool",
        build: () => {
          const pool = new HostPool();
          pool.aws({ region: "us-east-1", instanceType: "t3.micro", name: "twin" });
          pool.aws({ region: "us-east-1", instanceType: "t3.micro", name: "twin" });
        },
        message: /the host name "twin" is already used in host pool/,
      },
      {
        name: "sweep() hosts that are not a function",
        build: () => sweep({ grid: { n: [1] }, out: tempDir(), hosts: {} as never, run: () => ({ x: 1 }) }),
        message: /sweep\(\): hosts: expected a function \(pool\) => hosts/,
      },
    ];
    for (const { name, build, message } of cases) {
      test(name, async () => {
        await assert.rejects(
          async () => build(),
          (error) => {
            assert.ok(error instanceof ConfigError, String(error));
            assert.match(error.message, message);
            assert.equal(error.message.split("\n").length, 1);
            return true;
          },
        );
      });
    }
  });

  test("a pool host's terminate() stops its deployment's programs there; the next deployment launches it again", async () => {
    counted.launches = counted.released = 0;
    const pool = new HostPool();
    const local = pool.host("counted");
    const d = new Deployment({ hosts: pool });
    const sleeper = d.process({ command: "sleep 100", on: local });
    await d.deploy();
    await local.terminate();
    assert.notEqual(await sleeper.exitCode(), 0);
    await d.teardown();
    const again = new Deployment({ hosts: pool });
    again.process({ command: "true", on: local });
    await again.deploy();
    await again.teardown();
    await pool.release();
    assert.equal(counted.launches, 2);
    assert.equal(counted.released, 2);
  });

  test("a kind without reset() is released when each deployment ends and launched again for the next", async () => {
    counted.launches = counted.released = 0;
    const pool = new HostPool();
    const host = pool.host("counted", { reset: false });
    for (let n = 0; n < 3; n++) {
      const d = new Deployment({ hosts: pool });
      d.process({ command: "true", on: host });
      await d.deploy();
      await d.teardown();
    }
    await pool.release();
    assert.equal(counted.launches, 3);
    assert.equal(counted.released, 3);
  });
});

describe("a pool's hosts through races and failures", () => {
  const reset = () => Object.assign(counted, { launches: 0, resets: 0, released: 0, failLaunches: 0, resetting: 0 });
  /** A pool whose host takes 200 ms to launch, and a deployment on it torn down 50 ms into its deploy(). */
  const tornDownWhileLaunching = async () => {
    const pool = new HostPool();
    const booting = pool.host("counted", { launchMs: 200 });
    const first = new Deployment({ hosts: pool });
    first.process({ command: "true", on: booting });
    const deploying = first.deploy();
    await sleep(50);
    await first.teardown();
    await assert.rejects(deploying, TornDownError);
    return { pool, booting };
  };
  const deployOn = async (pool: HostPool, hosts: ReturnType<HostPool["host"]>[]) => {
    const d = new Deployment({ hosts: pool });
    for (const on of hosts) d.process({ command: "true", on });
    await d.deploy();
    return d;
  };

  test("the next deployment waits until every host is reset, also when another's reset failed (that one is released, with a warning)", async () => {
    reset();
    const warnings: string[] = [];
    const remove = addReporter((event) => void (event.type === "log" && event.level === "warn" && warnings.push(event.message)));
    try {
      const pool = new HostPool({ name: "slow" });
      const failing = pool.host("counted", { reset: "fails" });
      const slow = pool.host("counted", { resetMs: 300 });
      const first = await deployOn(pool, [failing, slow]);
      await first.teardown();
      assert.equal(counted.resetting, 0, "teardown returned while a reset was still going");
      assert.equal(counted.resets, 1);
      assert.equal(counted.released, 1, "the host whose reset failed was released");
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0]!,
        /^host "counted" of slow could not be reset \(the run directory is gone\); it is released, and the next deployment launches it again$/,
      );
      await (await deployOn(pool, [failing, slow])).teardown();
      assert.equal(counted.launches, 3, "launched again: the one released");
      await pool.release();
      assert.equal(counted.released, 3);
    } finally {
      remove();
    }
  });

  test("a launch that fails after its deployment was torn down is tried again by the next deployment", async () => {
    reset();
    counted.failLaunches = 1;
    const { pool, booting } = await tornDownWhileLaunching();
    await sleep(300);
    await (await deployOn(pool, [booting])).teardown();
    assert.equal(counted.launches, 2);
    await pool.release();
    assert.equal(counted.released, 1, "the host that came up was released");
  });

  test("a host terminated while its launch is still going is released once it is up, and launched again by the next deployment", async () => {
    reset();
    const { pool, booting } = await tornDownWhileLaunching();
    await booting.terminate();
    assert.equal(counted.released, 1);
    await (await deployOn(pool, [booting])).teardown();
    await pool.release();
    assert.deepEqual([counted.launches, counted.released], [2, 2]);
  });

  test("a host released once is not released again (terminate() after release(), its connection lost meanwhile)", async () => {
    reset();
    const pool = new HostPool();
    const host = pool.host("counted");
    await (await deployOn(pool, [host])).teardown();
    await pool.release();
    await host.terminate();
    assert.equal(counted.released, 1);
  });

  test("a host whose release failed is not launched again: one line naming it and hydro down", async () => {
    reset();
    const pool = new HostPool();
    const host = pool.host("counted", { teardownFails: true });
    await (await deployOn(pool, [host])).teardown();
    await assert.rejects(host.terminate(), /the VM could not be deleted/);
    const next = new Deployment({ hosts: pool });
    next.process({ command: "true", on: host });
    await assert.rejects(next.deploy(), (error) => {
      assert.ok(error instanceof HostError);
      assert.match(
        error.message,
        /^host "counted" is not launched again: releasing it failed \(the VM could not be deleted\); `hydro down` deletes what is left of it$/,
      );
      return true;
    });
    await pool.release();
    assert.equal(counted.launches, 1);
  });

  test("release() before any host was launched still tears down the deployment using the pool", async () => {
    reset();
    const pool = new HostPool();
    const d = new Deployment({ hosts: pool });
    d.service({ name: "relay", src: fixture("relay.ts"), on: pool.host("counted") });
    const deploying = d.deploy();
    await pool.release();
    await assert.rejects(deploying, TornDownError);
    assert.equal(d.phase, "torn down");
    assert.equal(counted.launches, 0);
    assert.throws(() => pool.localhost(), /host-pool\.test\.ts:\d+:\d+: localhost\(\): host pool \w+ is released/);
  });
});

describe("sweep() with hosts", () => {
  test("every point's deployment uses the hosts declared once; they are released at the end, also when a point fails", async () => {
    await inTempDir(async () => {
      counted.launches = counted.released = counted.resets = 0;
      const steps: string[] = [];
      const remove = addReporter((event: DeployEvent) => {
        if (event.type === "step" && event.status !== "running") steps.push(event.path.join(" › "));
      });
      try {
        const records = await sweep({
          grid: { n: [1, 2, 3, 4] },
          out: "results",
          hosts: (pool) => ({ worker: pool.host("counted") }),
          run: async ({ n }, d, { worker }) => {
            d.process({ command: "true", on: worker });
            await d.deploy();
            return { twice: 2 * n };
          },
        });
        assert.deepEqual(
          records.map((record) => record.twice),
          [2, 4, 6, 8],
        );
        assert.equal(counted.launches, 1);
        assert.equal(counted.resets, 4);
        assert.equal(counted.released, 1);
        assert.ok(steps.includes("sweep › release hosts"), steps.join("\n"));

        counted.launches = counted.released = 0;
        await assert.rejects(
          sweep({
            grid: { n: [1, 2] },
            out: "failing",
            hosts: (pool) => pool.host("counted"),
            run: async ({ n }, d, worker) => {
              d.process({ command: "true", on: worker });
              await d.deploy();
              if (n === 2) throw new Error("measured nonsense");
              return { n2: n };
            },
          }),
          /point 2\/2 n=2 failed: measured nonsense/,
        );
        assert.equal(counted.launches, 1);
        assert.equal(counted.released, 1);
      } finally {
        remove();
      }
    });
  });
});

/**
 * A host kind for these tests: the deployer's machine, counting its launches, resets and releases.
 * Options: `reset: false`, a kind without reset(); `reset: "fails"`, one that fails; `resetMs`, how
 * long a reset takes; `launchMs`, how long a launch takes; `failLaunches`, how many launches fail
 * (counted down in `counted`); `teardownFails`, a release that fails.
 */
const counted = { launches: 0, resets: 0, released: 0, failLaunches: 0, resetting: 0 };

interface CountedOptions {
  reset: boolean | "fails";
  resetMs: number;
  launchMs: number;
  teardownFails: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class CountedHost extends DeclaredHost<CountedOptions> {
  async launch(context: LaunchContext): Promise<LaunchedHost> {
    counted.launches++;
    await sleep(this.options.launchMs);
    if (counted.failLaunches > 0) {
      counted.failLaunches--;
      throw new HostError(this.name, `host "${this.name}" did not boot`);
    }
    const inner = await new Deployment().localhost().launch(context);
    const { reset: resets, resetMs, teardownFails } = this.options;
    // Its own `reset`, or none (undefined hides the localhost's).
    const reset = resets
      ? async () => {
          counted.resetting++;
          await sleep(resetMs);
          counted.resetting--;
          if (resets === "fails") throw new Error("the run directory is gone");
          counted.resets++;
        }
      : undefined;
    return Object.assign(Object.create(inner) as LaunchedHost, {
      name: this.name,
      reset,
      teardown: async () => {
        counted.released++;
        await inner.teardown();
        if (teardownFails) throw new Error("the VM could not be deleted");
      },
    });
  }
}

registerHostKind<CountedOptions>({
  name: "counted",
  parse: (input) => ({ reset: true, resetMs: 0, launchMs: 0, teardownFails: false, ...(input as Partial<CountedOptions> | undefined) }),
  hostName: () => ({ given: undefined, fallback: "counted" }),
  create: (owner, name, options) => new CountedHost(owner, name, options),
});
