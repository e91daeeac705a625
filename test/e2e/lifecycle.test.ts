import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Deployment } from "../../deploy/deployment.js";
import { addReporter, type DeployEvent } from "../../deploy/events.js";
import { execa } from "execa";
import type { Host } from "../../deploy/host.js";
import { startCluster, type Cluster, type ClusterHost } from "./cluster/cluster.js";
import { cli, collect, fixture, processesMatching, tempDir, uniqueTag, waitForLine } from "../helpers.js";

// Exits and teardown with real processes, signals and sshd, on localhost and on SSH hosts of a
// test cluster, driven in-process through the Deployment API (and through the CLI for echo_many).
let cluster: Cluster;

// Network namespaces and sshd need root; CI runs as root, so there these tests always run.
const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";

before(async () => {
  if (!notRoot) cluster = await startCluster({ hosts: 8 });
});
after(async () => {
  await cluster?.stop();
});

/** An ssh() host of `d` for a cluster host, its key pinned (nothing is written to .hydro/known_hosts). */
function sshHost(d: Deployment, host: ClusterHost): Host {
  return d.ssh({ host: host.address, user: host.user, privateKeyPath: cluster.privateKeyPath, hostKey: host.hostPublicKey, name: host.name });
}

/** Where a test runs its programs: the same behaviour is expected on both. */
const places: Array<{ name: string; skip: string | false; on: (d: Deployment) => Host }> = [
  { name: "localhost", skip: false, on: (d) => d.localhost() },
  { name: "an SSH host", skip: notRoot, on: (d) => sshHost(d, cluster.host("host1")) },
];

/** `hydro run` of a scenario of test/fixtures/cluster.hydro.ts, piped, in a fresh working directory. */
function hydro(scenario: string, tag = uniqueTag()) {
  return execa("node", [cli, "run", fixture("cluster.hydro.ts"), "--", cluster.manifestPath, scenario, tag], {
    cwd: tempDir(),
    reject: false,
    env: { NO_COLOR: "1" },
    timeout: 90_000,
  });
}

/** Resolves with `promise`, or rejects naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]);
}

/** Pids started by a test that teardown may legitimately give up on; killed (by pid) when the file ends. */
const strays = new Set<number>();
after(() => {
  for (const pid of strays) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

/** A command line that sleeps for 10 minutes and carries `tag` in its argv, to be found by. */
const sleeper = (tag: string) => `/usr/bin/python3 -c 'import time; print("sleeping", flush=True); time.sleep(600)' ${tag}`;

/** Runs `work` with the deployer's containment set to `mode` (deploy/containment.ts). */
async function withContainment<T>(mode: "cgroups" | "environment", work: () => Promise<T>): Promise<T> {
  const before = process.env.HYDRO_CONTAINMENT;
  process.env.HYDRO_CONTAINMENT = mode;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.HYDRO_CONTAINMENT;
    else process.env.HYDRO_CONTAINMENT = before;
  }
}

/** Processes carrying `tag` in their command line, on this machine or on a cluster host. */
async function carrying(tag: string, host: Host): Promise<string[]> {
  if (host.name === "localhost") return processesMatching(tag).map(String);
  // "[h]ydro-…" matches the tag but not the shell that runs this pgrep.
  const { stdout } = await cluster.host(host.name).exec(`pgrep -f -- '[${tag[0]}]${tag.slice(1)}' || true`);
  return stdout.split("\n").filter(Boolean);
}

/** Every event reported while `work` runs. */
async function recording<T>(work: () => Promise<T>): Promise<{ result: T; events: DeployEvent[] }> {
  const events: DeployEvent[] = [];
  const remove = addReporter((event) => void events.push(event));
  try {
    return { result: await work(), events };
  } finally {
    remove();
  }
}

describe("teardown never hangs", () => {
  for (const { name, skip, on } of places) {
    test(`on ${name}: a program whose output an escaped process keeps open is given up on after SIGKILL, by name`, { skip }, async () => {
      const tag = uniqueTag();
      const d = new Deployment({ stopTimeoutMs: 500 });
      const host = on(d);
      // In a session of its own with a clean environment, it escapes everything but a cgroup; and it holds stdout open.
      const holder = d.process({ name: "holder", command: `env -i setsid ${sleeper(tag)} & exec sleep 600`, on: host });
      const lines = holder.stdout();
      const started = Date.now();
      const { events } = await withContainment("environment", async () => {
        await d.deploy();
        assert.deepEqual(await lines.next(), { done: false, value: "sleeping" });
        for (const pid of processesMatching(tag)) strays.add(pid);
        return recording(() => d.teardown());
      });
      assert.ok(Date.now() - started < 30_000, `teardown took ${Date.now() - started} ms`);
      const failed = events.find((event) => event.type === "step" && event.path.join(" ") === "teardown" && event.status === "failed");
      assert.match(
        failed?.type === "step" ? (failed.detail ?? "") : "",
        new RegExp(
          `process "holder" on ${host.name}: no exit reported \\d+ ms after SIGKILL \\(something it started may hold its output open\\); gave up on it`,
        ),
      );
    });
  }
});

describe("nothing a program started survives teardown", () => {
  for (const { name, skip, on } of places) {
    for (const mode of ["cgroups", "environment"] as const) {
      test(
        `on ${name}, found by ${mode === "cgroups" ? "its cgroup" : "the marker in its environment"}: setsid daemons and detached children`,
        { skip },
        async () => {
          const tag = uniqueTag();
          const d = new Deployment({ stopTimeoutMs: 1_000 });
          const host = on(d);
          // A daemon in its own session, one orphaned by a double fork, one that ignores SIGHUP; none holds the output.
          const quiet = `${sleeper(tag)} </dev/null >/dev/null 2>&1`;
          const daemons = `setsid ${quiet} & ( ${quiet} & ) ; nohup ${quiet} &`;
          const starter = d.process({ name: "starter", command: `${daemons} sleep 0.5; echo started; exec sleep 600`, on: host });
          const lines = starter.stdout();
          await withContainment(mode, async () => {
            await d.deploy();
            assert.deepEqual(await lines.next(), { done: false, value: "started" });
            assert.ok((await carrying(tag, host)).length >= 3, "the three daemons run");
            await d.teardown();
          });
          const deadline = Date.now() + 5_000;
          while ((await carrying(tag, host)).length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
          const left = await carrying(tag, host);
          for (const pid of host.name === "localhost" ? left : []) strays.add(Number(pid));
          assert.deepEqual(left, []);
        },
      );
    }
  }
});

describe("pause() reaches what left the process group", () => {
  for (const { name, skip, on } of places) {
    for (const mode of ["cgroups", "environment"] as const) {
      test(
        `on ${name}, through ${mode === "cgroups" ? "the cgroup's freezer" : "the marker in the environment"}: a setsid daemon stops while paused and goes on when resumed`,
        { skip },
        async () => {
          const tag = uniqueTag();
          const file = `/tmp/${tag}.ticks`;
          const d = new Deployment();
          const host = on(d);
          // A daemon in a session of its own (out of reach of a signal to the group) ticking into a file.
          const ticker = `setsid sh -c 'while :; do echo tick >> ${file}; sleep 0.02; done' ${tag} </dev/null >/dev/null 2>&1 &`;
          const starter = d.process({ name: "starter", command: `${ticker} echo started; exec sleep 600`, on: host });
          const lines = starter.stdout();
          const ticks = async () => {
            const text = host.name === "localhost" ? fs.readFileSync(file, "utf8") : (await cluster.host(host.name).exec(`cat ${file}`)).stdout;
            return text.split("\n").length;
          };
          const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
          try {
            await withContainment(mode, async () => {
              await d.deploy();
              assert.deepEqual(await lines.next(), { done: false, value: "started" });
              await sleep(200);
              starter.pause();
              await sleep(300);
              const frozen = await ticks();
              await sleep(500);
              assert.equal(await ticks(), frozen, "no tick while paused");
              starter.resume();
              await sleep(300);
              assert.ok((await ticks()) > frozen + 3, "ticking again once resumed");
              await d.teardown();
            });
          } finally {
            await d.teardown();
            if (host.name === "localhost") fs.rmSync(file, { force: true });
            else await cluster.host(host.name).exec(`rm -f ${file}`);
          }
          const deadline = Date.now() + 5_000;
          while ((await carrying(tag, host)).length && Date.now() < deadline) await sleep(100);
          assert.deepEqual(await carrying(tag, host), [], "the daemon does not outlive teardown, frozen or not");
        },
      );
    }
  }
});

describe("kill() (a second Ctrl-C)", () => {
  test("removes the run directory and its sockets before it returns", async () => {
    const d = new Deployment();
    const [a, b] = ["a", "b"].map((name) => d.service({ name, src: fixture("relay.ts"), on: d.localhost() }));
    a!.ports.outbound.connect(b!.ports.inbound);
    await d.deploy();
    const runDirs = () => fs.readdirSync(os.tmpdir()).filter((entry) => entry.startsWith(`hydro-${process.pid}-`));
    const [runDir] = runDirs();
    assert.ok(runDir && fs.readdirSync(path.join(os.tmpdir(), runDir)).some((file) => file.endsWith(".sock")), "a socket in the run directory");
    d.kill();
    assert.deepEqual(runDirs(), []);
    assert.deepEqual(await Promise.all([a!.exitCode(), b!.exitCode()]), [137, 137]);
  });
});

describe("process() and stopTimeoutMs", () => {
  /** A command that reports every SIGTERM it gets, then does `then` (an exit, or nothing); it prints "ready" once it listens. */
  const reportsTerm = (then: string) => `trap 'echo term; ${then}' TERM; echo ready; while :; do sleep 0.1; done`;

  /** Deploys, tears down once the command listens for SIGTERM, and returns its exit code and the lines it printed after "ready". */
  async function stopped(d: Deployment, command: ReturnType<Deployment["process"]>): Promise<{ code: number; lines: string[] }> {
    const lines = command.stdout();
    await d.deploy();
    assert.deepEqual(await lines.next(), { done: false, value: "ready" });
    await d.teardown();
    return { code: await command.exitCode(), lines: await collect(lines) };
  }

  for (const { name, skip, on } of places) {
    test(`on ${name}: a command that exits cleanly 3 s after SIGTERM gets the time, one SIGTERM and its own exit status`, { skip }, async () => {
      const d = new Deployment({ stopTimeoutMs: 8_000 });
      const command = d.process({ name: "graceful", command: reportsTerm("sleep 3; exit 0"), on: on(d) });
      assert.deepEqual(await stopped(d, command), { code: 0, lines: ["term"] });
    });

    test(`on ${name}: a command that ignores SIGTERM is killed after stopTimeoutMs and reported as 137`, { skip }, async () => {
      const d = new Deployment({ stopTimeoutMs: 1_000 });
      const command = d.process({ name: "stubborn", command: reportsTerm(":"), on: on(d) });
      assert.deepEqual(await stopped(d, command), { code: 137, lines: ["term"] });
    });
  }
});

describe("exits on SSH hosts", { skip: notRoot }, () => {
  test("echo_many on 8 hosts succeeds every time (20 runs)", async () => {
    for (let run = 1; run <= 20; run++) {
      const result = await hydro("echo-many-all");
      assert.equal(result.exitCode, 0, `run ${run}: ${result.stderr}`);
    }
  });

  test("24 instantly exiting commands on each of 3 hosts all report their own exit code", async () => {
    const d = new Deployment();
    const commands = cluster.hosts.slice(0, 3).flatMap((host, h) => {
      const on = sshHost(d, host);
      return Array.from({ length: 24 }, (_, i) => {
        const code = (i * 11 + h) % 256;
        return { code, node: d.process({ name: `${host.name}-${i}`, command: `exit ${code}`, on }) };
      });
    });
    try {
      await d.deploy();
      const codes = await within(Promise.all(commands.map(({ node }) => node.exitCode())), 30_000, "exitCode()");
      assert.deepEqual(
        codes,
        commands.map(({ code }) => code),
      );
    } finally {
      await d.teardown();
    }
  });

  test("hostile arguments and environment values reach a remote command verbatim", async () => {
    const hostile = ["$(echo pwned)", "`echo pwned`", "it's", "-Sfoo", "FOO=bar", "a\nb", "*", "~", "; echo pwned", "\\", "", " spaced "];
    const d = new Deployment();
    const env = Object.fromEntries(hostile.map((value, i) => [`HOSTILE_${i}`, value]));
    const script = `import sys, os, json; print(json.dumps([sys.argv[1:], {k: os.environ.get(k) for k in ${JSON.stringify(Object.keys(env))}}]))`;
    const printer = d.process({ name: "printer", command: ["python3", "-c", script, ...hostile], env, on: sshHost(d, cluster.host("host2")) });
    const lines = printer.stdout();
    await d.deploy();
    try {
      assert.deepEqual(JSON.parse((await lines.next()).value as string), [hostile, env]);
      assert.equal(await printer.exitCode(), 0);
    } finally {
      await d.teardown();
    }
  });
});

describe("leftovers on SSH hosts", { skip: notRoot }, () => {
  /** A pid no process of a (nearly empty) cluster host has, and one it always has: its init. */
  const DEAD = 32_767;
  const ALIVE = 1;

  test("a launch sweeps the run directories and temporary uploads of dead deployers, only the current user's", async () => {
    const host = cluster.host("host4");
    const hydroDir = path.join(host.homeDir, ".hydro");
    const make = (relative: string, options: { dir?: boolean; owner?: number } = {}) => {
      const file = path.join(hydroDir, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (options.dir) fs.mkdirSync(file);
      else fs.writeFileSync(file, "half an upload");
      if (options.owner !== undefined) fs.chownSync(file, options.owner, options.owner);
      return relative;
    };
    const nobody = 65_534;
    const swept = [make(`run/${DEAD}-aaaaaa`, { dir: true }), make(`cache/x.mjs.${DEAD}.abc.tmp`), make(`node/0123/node.${DEAD}.abc.tmp`)];
    const kept = [
      make(`run/${ALIVE}-bbbbbb`, { dir: true }),
      make(`run/${DEAD}-cccccc`, { dir: true, owner: nobody }),
      make(`cache/y.mjs.${ALIVE}.abc.tmp`),
      make(`cache/z.mjs.${DEAD}.abc.tmp`, { owner: nobody }),
    ];
    const d = new Deployment();
    d.process({ name: "nothing", command: "true", on: sshHost(d, host) });
    await d.deploy();
    await d.teardown();
    const present = (relative: string) => fs.existsSync(path.join(hydroDir, relative));
    assert.deepEqual(swept.filter(present), [], "left of dead deployers");
    assert.deepEqual(
      kept.filter((relative) => !present(relative)),
      [],
      "removed although alive or someone else's",
    );
  });

  test("the run directory a deployer killed with -9 leaves is swept by the next run on that host", async () => {
    const runDirs = (name: string) => fs.readdirSync(path.join(cluster.host(name).homeDir, ".hydro", "run"));
    const child = hydro("forever");
    await waitForLine(child, "deployed");
    assert.equal(runDirs("host1").length, 1);
    child.kill("SIGKILL");
    await child;
    const next = await hydro("echo");
    assert.equal(next.exitCode, 0, next.stderr);
    assert.deepEqual(runDirs("host1"), []);
    assert.deepEqual(runDirs("host2"), []);
  });

  test("a full remote disk is reported with the host, the path and 'no space left'", async () => {
    const host = cluster.host("host5");
    const cache = "/root/.hydro/cache";
    await host.exec(`mkdir -p ${cache} && mount -t tmpfs -o size=16k hydro-full ${cache}`);
    try {
      const d = new Deployment();
      d.service({ name: "relay", src: fixture("relay.ts"), on: sshHost(d, host) });
      await assert.rejects(
        d.deploy(),
        /^HostError: ssh host "host5": cannot upload .*\.mjs(\.map)? to \/root\/\.hydro\/cache\/\w+\.mjs(\.map)?: no space left on device/,
      );
    } finally {
      await host.exec(`umount ${cache}`);
    }
  });
});

describe("a partitioned SSH host", { skip: notRoot }, () => {
  test("a process() there ends on the heartbeat, like a service", async () => {
    const host = cluster.host("host6");
    const tag = uniqueTag();
    const d = new Deployment({ heartbeatMs: 3_000 });
    const command = d.process({ name: "sleeper", command: `exec ${sleeper(tag)}`, on: sshHost(d, host) });
    // "[h]ydro-…" matches the tag but not the shell that runs this pgrep.
    const running = async () => (await host.exec(`pgrep -f -- '[${tag[0]}]${tag.slice(1)}' || true`)).stdout.trim();
    const lines = command.stdout();
    await d.deploy();
    try {
      assert.deepEqual(await lines.next(), { done: false, value: "sleeping" });
      // Pings keep it alive while the host is reachable: two heartbeat periods later it still runs.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      assert.notEqual(await running(), "", "the command ended although the deployer's pings were arriving");
      await host.linkDown();
      // The deployer notices within ~8 s (keepalive) and tears down; the host, cut off, must end it by itself.
      const deadline = Date.now() + 20_000;
      while ((await running()) !== "" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await running(), "", "the command on the cut-off host is still running 20 s after the link went down");
    } finally {
      await host.linkUp();
      await d.teardown();
    }
    assert.notEqual(await command.exitCode(), 0);
  });
});

describe("files the deployer keeps", () => {
  /** Every path under `dir`/.hydro that others may read: "<path> <mode>" for each directory not 0700 and file not 0600. */
  const notPrivate = (dir: string): string[] =>
    fs
      .readdirSync(path.join(dir, ".hydro"), { recursive: true, encoding: "utf8" })
      .concat("")
      .map((entry) => path.join(".hydro", entry))
      .flatMap((entry) => {
        const stat = fs.statSync(path.join(dir, entry));
        const mode = stat.mode & 0o777;
        return mode === (stat.isDirectory() ? 0o700 : 0o600) ? [] : [`${entry} ${mode.toString(8)}`];
      });

  test(".hydro and its cache are private (0700 directories, 0600 files), also for a config kept at 0600", async () => {
    const cwd = tempDir();
    const config = path.join(cwd, "private.hydro.ts");
    fs.writeFileSync(
      config,
      `import { Deployment } from "hydro-deploy";\nexport default async function main() {\n  const d = new Deployment();\n  d.service({ src: ${JSON.stringify(fixture("relay.ts"))}, on: d.localhost() });\n  await d.deploy();\n}\n`,
      { mode: 0o600 },
    );
    const result = await execa("node", [cli, "run", config], { cwd, reject: false, env: { NO_COLOR: "1" }, timeout: 90_000 });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(notPrivate(cwd), []);
  });

  test("the sweep of run directories in $TMPDIR removes only the current user's", async () => {
    const dead = 32_767;
    const mine = path.join(os.tmpdir(), `hydro-${dead}-mine01`);
    const theirs = path.join(os.tmpdir(), `hydro-${dead}-their1`);
    fs.mkdirSync(mine);
    fs.mkdirSync(theirs);
    fs.chownSync(theirs, 65_534, 65_534);
    try {
      const d = new Deployment();
      d.process({ name: "nothing", command: "true", on: d.localhost() });
      await d.deploy();
      await d.teardown();
      assert.equal(fs.existsSync(mine), false, "a dead deployer's run directory of this user is left");
      assert.equal(fs.existsSync(theirs), true, "another user's directory was removed");
    } finally {
      fs.rmSync(mine, { recursive: true, force: true });
      fs.rmSync(theirs, { recursive: true, force: true });
    }
  });

  test("what a launch creates in ~/.hydro on an SSH host is private", { skip: notRoot }, async () => {
    const host = cluster.host("host7");
    // Fresh, as on a host this deployer has never seen.
    fs.rmSync(path.join(host.homeDir, ".hydro"), { recursive: true, force: true });
    const d = new Deployment();
    d.service({ name: "relay", src: fixture("relay.ts"), on: sshHost(d, host) });
    await d.deploy();
    await d.teardown();
    assert.deepEqual(notPrivate(host.homeDir), []);
  });
});
