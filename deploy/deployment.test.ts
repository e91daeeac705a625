import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import net from "node:net";
import { Deployment } from "./deployment.js";
import { CloudError, ConfigError, HostError, HostLostError, HydroError, ProgramFailedError } from "./errors.js";
import { fixture, tempDir, processesMatching, uniqueTag, collect, eventually } from "../test/helpers.js";
import { fetchHello, webServer } from "../test/fixtures/web.js";

const dir = tempDir();

describe("a bad config is rejected before any process starts", () => {
  const cases: Array<{ name: string; build: (d: Deployment, other: Deployment) => void; message: RegExp }> = [
    {
      name: "missing src",
      build: (d) => d.service({ src: "./nope.ts", on: d.localhost() }),
      message: /deployment\.test\.ts:\d+:\d+: service\(\): src: file not found: .*nope\.ts/,
    },
    { name: "empty src", build: (d) => d.service({ src: "", on: d.localhost() }), message: /service\(\): src: give the program's source file/ },
    {
      name: "args of the wrong type",
      build: (d) => d.service({ src: fixture("relay.ts"), on: d.localhost(), args: ["ok", 3 as unknown as string] }),
      message: /service\(\): args\.1: .*string/,
    },
    {
      name: "an unknown option",
      build: (d) => d.service({ src: fixture("relay.ts"), on: d.localhost(), sorce: "x" } as never),
      message: /service\(\): options: .*sorce/,
    },
    { name: "no host", build: (d) => d.service({ src: fixture("relay.ts") } as never), message: /service\(\): on: expected a host/ },
    {
      name: "a host of another Deployment",
      build: (d, other) => d.service({ src: fixture("relay.ts"), on: other.localhost() }),
      message: /on: host "localhost" belongs to another Deployment/,
    },
    {
      name: "a bad name",
      build: (d) => d.service({ src: fixture("relay.ts"), on: d.localhost(), name: "has space" }),
      message: /service\(\): name: use letters/,
    },
    {
      name: "a name used twice",
      build: (d) => {
        d.service({ src: fixture("relay.ts"), on: d.localhost(), name: "twin" });
        d.service({ src: fixture("relay.ts"), on: d.localhost(), name: "twin" });
      },
      message: /the name "twin" is already used/,
    },
    { name: "a process with no command", build: (d) => d.process({ command: [], on: d.localhost() }), message: /process\(\): command: / },
    {
      name: "a bad port number",
      build: (d) => d.process({ command: "true", on: d.localhost(), ports: { main: 70000 } }),
      message: /process\(\): ports\.main: /,
    },
    {
      name: "a malformed hostKey",
      build: (d) => d.ssh({ host: "10.0.0.1", privateKeyPath: fixture("relay.ts"), hostKey: "not a key" }),
      message: /deployment\.test\.ts:\d+:\d+: ssh\(\): hostKey: hostKey "not a key" is neither a SHA256:… fingerprint nor a public key line/,
    },
    {
      name: "ssh() with two kinds of credentials",
      build: (d) => d.ssh({ host: "10.0.0.1", privateKey: "x", agent: "/tmp/agent" }),
      message: /ssh\(\): give one of privateKeyPath, privateKey, agent \(got privateKey and agent\)/,
    },
    {
      name: "an unreadable privateKeyPath",
      build: (d) => d.ssh({ host: "10.0.0.1", privateKeyPath: "/nonexistent/key" }),
      message: /ssh\(\): privateKeyPath: cannot read \/nonexistent\/key/,
    },
    {
      name: "an env key that is an option of env(1)",
      build: (d) => d.process({ command: "true", on: d.localhost(), env: { "-Sfoo": "x" } }),
      message:
        /deployment\.test\.ts:\d+:\d+: process\(\): env: key "-Sfoo": not a POSIX environment variable name \(letters, digits and '_', not starting with a digit\)$/,
    },
    ...["A=B", "1X", "", "has space", "ünï"].map((key) => ({
      name: `a service env key ${JSON.stringify(key)}`,
      build: (d: Deployment) => d.service({ src: fixture("relay.ts"), on: d.localhost(), env: { [key]: "x" } }),
      message: new RegExp(`service\\(\\): env: key ${JSON.stringify(key)}: not a POSIX environment variable name`),
    })),
    {
      name: "an argument with a NUL byte",
      build: (d) => d.service({ src: fixture("relay.ts"), on: d.localhost(), args: ["a\0b"] }),
      message: /service\(\): args\.0: contains a NUL byte, which no program can be given/,
    },
    {
      name: "a process whose program starts with '-'",
      build: (d) => d.process({ command: ["-x", "y"], on: d.localhost() }),
      message: /process\(\): command: the program \(argv\[0\]\) must not start with '-'/,
    },
    { name: "a bad deployment option", build: () => new Deployment({ readyTimeoutMs: -1 }), message: /new Deployment\(\): readyTimeoutMs: / },
    {
      name: "a jump host that is not an ssh() host",
      build: (d) => d.ssh({ host: "10.0.0.1", privateKey: "x", jump: d.localhost() }),
      message: /deployment\.test\.ts:\d+:\d+: ssh\(\): jump: host "localhost" is not an ssh\(\) host; a jump host must be one$/,
    },
    {
      name: "a cloud VM as a jump host",
      build: (d) => d.ssh({ host: "10.0.0.1", privateKey: "x", jump: d.aws({ region: "eu-west-1", instanceType: "t3.micro" }) }),
      message: /ssh\(\): jump: host "aws-eu-west-1" is not an ssh\(\) host/,
    },
    {
      name: "a host kind nobody registered",
      build: (d) => d.host("nowhere"),
      message: /deployment\.test\.ts:\d+:\d+: host\("nowhere"\): no host kind "nowhere" \(registered: localhost, ssh, aws, gcp/,
    },
    { name: "options for localhost", build: (d) => d.host("localhost", { cores: 2 }), message: /localhost\(\): options: Unrecognized key: "cores"/ },
    {
      name: "a host kind's bad option",
      build: (d) => d.host("aws", { region: "mars" }),
      message: /deployment\.test\.ts:\d+:\d+: aws\(\): region: an AWS region/,
    },
    {
      name: "two cloud hosts given one name",
      build: (d) => {
        d.aws({ region: "eu-west-1", instanceType: "t3.micro", name: "db" });
        d.gcp({ project: "my-project-1", zone: "us-central1-a", machineType: "e2-small", name: "db" });
      },
      message: /the host name "db" is already used/,
    },
    {
      name: "a process's own stopTimeoutMs below zero",
      build: (d) => d.process({ command: "true", on: d.localhost(), stopTimeoutMs: -5 }),
      message: /process\(\): stopTimeoutMs: Too small/,
    },
  ];
  for (const { name, build, message } of cases) {
    test(name, () => {
      const d = new Deployment();
      assert.throws(() => build(d, new Deployment()), message);
    });
  }

  const wiringCases: Array<{ name: string; wire: (a: Svc, b: Svc, c: Svc) => void; message: RegExp }> = [
    {
      name: "a sender connected twice",
      wire: (a, b, c) => {
        a.ports.outbound.connect(b.ports.inbound);
        a.ports.outbound.connect(c.ports.inbound);
      },
      message: /port a\.outbound is already connected to b\.inbound \(at .*deployment\.test\.ts:\d+:\d+\); to send to several receivers use demux\(\)/,
    },
    {
      name: "connect and demux on one port",
      wire: (a, b, c) => {
        a.ports.outbound.connect(b.ports.inbound);
        a.ports.outbound.demux([c.ports.inbound]);
      },
      message: /port a\.outbound is wired with both connect\(\) and demux\(\)/,
    },
    {
      name: "a port used as sender and receiver",
      wire: (a, b) => {
        a.ports.outbound.connect(b.ports.inbound);
        b.ports.inbound.connect(a.ports.inbound);
      },
      message: /port b\.inbound is wired both as a sender and as a receiver/,
    },
    {
      name: "two demux receivers with one key",
      wire: (a, b, c) => {
        a.ports.outbound.demux({ same: b.ports.inbound });
        a.ports.outbound.demux({ same: c.ports.inbound });
      },
      message: /two demux receivers with key 'same'/,
    },
  ];
  type Svc = ReturnType<Deployment["service"]>;
  for (const { name, wire, message } of wiringCases) {
    test(name, async () => {
      const marker = path.join(dir, `${uniqueTag()}.started`);
      const d = new Deployment();
      const [a, b, c] = ["a", "b", "c"].map((n) => d.service({ name: n, src: fixture("relay.ts"), on: d.localhost(), env: { MARKER: marker } }));
      wire(a!, b!, c!);
      await assert.rejects(d.deploy(), message);
      assert.equal(fs.existsSync(marker), false, "a program started although the config was bad");
    });
  }

  test("wiring ports of two Deployments", async () => {
    const d = new Deployment();
    const other = new Deployment();
    const a = d.service({ name: "a", src: fixture("relay.ts"), on: d.localhost() });
    const b = other.service({ name: "b", src: fixture("relay.ts"), on: other.localhost() });
    a.ports.outbound.connect(b.ports.inbound);
    await assert.rejects(d.deploy(), /cannot connect a\.outbound to b\.inbound: they belong to different Deployments/);
  });

  test("a process port wired to a service port", async () => {
    const d = new Deployment();
    const web = d.process({ command: "sleep 100", on: d.localhost(), ports: { main: 0 } });
    const relay = d.service({ src: fixture("relay.ts"), on: d.localhost() });
    relay.ports.outbound.connect(web.ports.main);
    await assert.rejects(d.deploy(), /a process\(\) port carries raw TCP while service\(\) and external\(\) ports carry framed messages/);
  });

  test("the script's own port wired to a process() port", async () => {
    const d = new Deployment();
    const web = d.process({ command: "sleep 100", on: d.localhost(), ports: { main: 0 } });
    d.external({ name: "me" }).ports.out.connect(web.ports.main);
    await assert.rejects(
      d.deploy(),
      /cannot connect me\.out to sleep\.main: a process\(\) port carries raw TCP while service\(\) and external\(\) ports carry framed messages/,
    );
  });

  test("a process port wired with demux", async () => {
    const d = new Deployment();
    const [a, b] = ["a", "b"].map((name) => d.process({ name, command: "sleep 100", on: d.localhost(), ports: { main: 0 } }));
    const client = d.process({ name: "client", command: "sleep 100", on: d.localhost(), ports: { target: 0 } });
    client.ports.target.demux([a!.ports.main, b!.ports.main]);
    await assert.rejects(d.deploy(), /port client\.target of a process\(\) has one address to substitute: it cannot demux/);
  });

  test("a process port that the process does not declare", async () => {
    const d = new Deployment();
    const server = d.process({ name: "server", command: "sleep 100", on: d.localhost(), ports: { main: 0 } });
    const client = d.process({ name: "client", command: "sleep 100", on: d.localhost(), ports: { target: 0 } });
    client.ports.target.connect(server.ports.mian);
    await assert.rejects(d.deploy(), /process "server" on localhost has no port 'mian' \(wired at .*deployment\.test\.ts:\d+:\d+\); it declares: main/);
  });

  test("a TypeScript syntax error names the file and line, and nothing starts", async () => {
    const marker = path.join(dir, `${uniqueTag()}.started`);
    const d = new Deployment();
    d.service({ src: fixture("relay.ts"), on: d.localhost(), env: { MARKER: marker } });
    d.service({ src: fixture("syntax-error.ts"), on: d.localhost() });
    await assert.rejects(d.deploy(), /service "syntax-error" on localhost: cannot bundle .*syntax-error\.ts:2:24: Unexpected ";"/);
    assert.equal(fs.existsSync(marker), false);
  });

  test("declaring after deploy() is refused", async () => {
    const d = new Deployment();
    d.service({ src: fixture("relay.ts"), on: d.localhost() });
    await d.deploy();
    try {
      assert.throws(() => d.service({ src: fixture("relay.ts"), on: d.localhost() }), /is already running; declare everything before deploy\(\)/);
    } finally {
      await d.teardown();
    }
  });
});

describe("the handshake reports a program that does not take part", () => {
  test("a program that prints and never answers times out, naming it and showing its output", async () => {
    const d = new Deployment({ readyTimeoutMs: 1500 });
    d.service({ name: "quiet", src: fixture("chatty-silent.ts"), on: d.localhost() });
    await assert.rejects(d.deploy(), (error: Error) => {
      assert.match(
        error.message,
        /service "quiet" on localhost did not answer within 1500 ms while binding its ports \(does it call connect\(\) from hydro-deploy\/runtime\?\)/,
      );
      return true;
    });
  });

  test("a program that crashes before binding reports its exit and stderr", async () => {
    const d = new Deployment();
    d.service({ name: "fragile", src: fixture("crash-on-start.ts"), on: d.localhost() });
    await assert.rejects(d.deploy(), (error: Error) => {
      assert.match(error.message, /service "fragile" on localhost exited with code 1 while binding its ports/);
      return true;
    });
  });

  test("a program that never imports the runtime is told to", async () => {
    const d = new Deployment();
    d.service({ src: fixture("no-runtime.ts"), on: d.localhost() });
    await assert.rejects(d.deploy(), /exited with code 0 while binding its ports \(does it call connect\(\) from hydro-deploy\/runtime\?\)/);
  });

  test("wiring a port the program does not declare names the service, the port and the declared ports", async () => {
    const tag = uniqueTag();
    const d = new Deployment();
    const relay = d.service({ name: "relay", src: fixture("relay.ts"), on: d.localhost(), args: [tag] });
    const driver = d.external({ name: "driver" });
    driver.ports.out.connect(relay.ports.inbox);
    await assert.rejects(
      d.deploy(),
      /service "relay" on localhost has no port 'inbox' \(wired at .*deployment\.test\.ts:\d+:\d+\); it declares: inbound \(source\), outbound \(sink\)/,
    );
    assert.deepEqual(processesMatching(tag), [], "the failed deploy left a process running");
  });

  test("wiring a source as a sender is refused", async () => {
    const d = new Deployment();
    const a = d.service({ name: "a", src: fixture("relay.ts"), on: d.localhost() });
    const b = d.service({ name: "b", src: fixture("relay.ts"), on: d.localhost() });
    a.ports.inbound.connect(b.ports.inbound);
    await assert.rejects(d.deploy(), /service "a" on localhost: port 'inbound' is a source but is wired as a sender/);
  });
});

describe("failures are typed, so a script can tell them apart with instanceof", () => {
  const kinds = { ConfigError, HostError, HostLostError, ProgramFailedError, CloudError };
  const kindOf = (error: unknown) =>
    Object.entries(kinds)
      .filter(([, kind]) => error instanceof kind)
      .map(([name]) => name);

  test("a bad option, a bad wiring and an undeclared port are ConfigErrors", async () => {
    const d = new Deployment();
    assert.throws(
      () => d.service({ src: fixture("relay.ts"), on: d.localhost(), args: [3 as unknown as string] }),
      (error) => {
        assert.ok(error instanceof HydroError);
        assert.deepEqual(kindOf(error), ["ConfigError"]);
        return true;
      },
    );
    const a = d.service({ name: "a", src: fixture("relay.ts"), on: d.localhost() });
    a.ports.inbound.connect(d.service({ name: "b", src: fixture("relay.ts"), on: d.localhost() }).ports.inbound);
    await assert.rejects(d.deploy(), (error) => (assert.deepEqual(kindOf(error), ["ConfigError"]), true));
    const e = new Deployment();
    e.external().ports.out.connect(e.service({ name: "relay", src: fixture("relay.ts"), on: e.localhost() }).ports.inbox);
    await assert.rejects(e.deploy(), (error) => (assert.deepEqual(kindOf(error), ["ConfigError"]), true));
  });

  test("a program that crashes while deploying is a ProgramFailedError naming it", async () => {
    const d = new Deployment();
    d.service({ name: "fragile", src: fixture("crash-on-start.ts"), on: d.localhost() });
    await assert.rejects(d.deploy(), (error) => {
      assert.deepEqual(kindOf(error), ["ProgramFailedError"]);
      assert.equal((error as ProgramFailedError).program, "fragile");
      assert.equal((error as ProgramFailedError).exitCode, 1);
      assert.equal((error as ProgramFailedError).stderrTail[0], "about to fail");
      assert.match((error as ProgramFailedError).stderrTail.join("\n"), /Error: cannot read my settings/);
      return true;
    });
  });

  test("a host that cannot be reached is a HostError naming it", async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const key = path.join(dir, "unused_ed25519");
    fs.writeFileSync(key, "not used: nothing answers on the port", { mode: 0o600 });
    const d = new Deployment();
    d.service({
      src: fixture("relay.ts"),
      on: d.ssh({ host: "127.0.0.1", port: closed, user: "nobody", privateKeyPath: key, connectAttempts: 1, name: "gone" }),
    });
    await assert.rejects(d.deploy(), (error) => {
      assert.deepEqual(kindOf(error), ["HostError"]);
      assert.equal((error as HostError).host, "gone");
      assert.match((error as Error).message, /cannot connect to ssh host "gone" \(nobody@127\.0\.0\.1:\d+\): connection refused/);
      return true;
    });
  });
});

describe("a deployed system", () => {
  test("service.stop() stops that one program; the others run on until teardown; the deployer's machine cannot be terminated", async () => {
    const tag = uniqueTag();
    const d = new Deployment();
    const a = d.service({ name: "a", src: fixture("relay.ts"), on: d.localhost(), args: [tag] });
    const b = d.service({ name: "b", src: fixture("relay.ts"), on: d.localhost(), args: [tag] });
    a.ports.outbound.connect(b.ports.inbound);
    try {
      await d.deploy();
      assert.equal(processesMatching(tag).length, 2);
      await a.stop();
      assert.equal(await a.exitCode(), 0);
      assert.equal(processesMatching(tag).length, 1, "stopping a also stopped b");
      await assert.rejects(d.localhost().terminate(), (error: Error) => error instanceof ConfigError && /localhost cannot be terminated/.test(error.message));
    } finally {
      await d.teardown();
    }
    assert.deepEqual(processesMatching(tag), []);
  });

  test("the config script sends to a service and reads its replies through an external endpoint, one by one and in batches()", async () => {
    const d = new Deployment();
    const relay = d.service({ name: "relay", src: fixture("relay.ts"), on: d.localhost() });
    const driver = d.external({ name: "driver" });
    driver.ports.requests.connect(relay.ports.inbound);
    relay.ports.outbound.connect(driver.ports.replies);
    await d.deploy();
    try {
      for (let n = 0; n < 5; n++) driver.ports.requests.send({ n });
      const replies: unknown[] = [];
      for await (const { from, data } of driver.ports.replies) {
        assert.equal(from, "relay");
        replies.push(data);
        if (replies.length === 5) break;
      }
      assert.deepEqual(
        replies,
        [0, 1, 2, 3, 4].map((n) => ({ n, from: "driver" })),
      );
      // The same port read in batches: every message once, in order, none left behind by the loop above.
      for (let n = 5; n < 105; n++) driver.ports.requests.send({ n });
      const batched: unknown[] = [];
      for await (const batch of driver.ports.replies.batches()) {
        assert.ok(batch.length > 0);
        batched.push(...batch.map(({ data }) => data));
        if (batched.length >= 100) break;
      }
      assert.deepEqual(
        batched,
        Array.from({ length: 100 }, (_, i) => ({ n: i + 5, from: "driver" })),
      );
    } finally {
      await d.teardown();
    }
  });

  test("stdout() yields the lines printed after it is called; teardown ends the iteration", async () => {
    const d = new Deployment();
    const relay = d.service({ name: "relay", src: fixture("relay.ts"), on: d.localhost() });
    const lines = relay.stdout();
    const driver = d.external();
    driver.ports.out.connect(relay.ports.inbound);
    await d.deploy();
    driver.ports.out.send({ n: 41 });
    const seen: string[] = [];
    for await (const line of lines) {
      seen.push(line);
      if (line.startsWith("relay got")) break;
    }
    assert.deepEqual(seen, ["relay starting", "relay connected", "relay got 41 from external"]);
    const rest = relay.stdout();
    await d.teardown();
    assert.deepEqual(await collect(rest), []);
    assert.equal(await relay.exitCode(), 0);
  });

  test("teardown stops every program, and a stopped program exits 0 through the runtime's stop", async () => {
    const tag = uniqueTag();
    const d = new Deployment();
    const services = [1, 2, 3].map((i) => d.service({ name: `r${i}`, src: fixture("relay.ts"), on: d.localhost(), args: [tag] }));
    await d.deploy();
    assert.equal(processesMatching(tag).length, 3);
    await d.teardown();
    assert.deepEqual(processesMatching(tag), []);
    assert.deepEqual(await Promise.all(services.map((service) => service.exitCode())), [0, 0, 0]);
  });

  test("what a program sends as it stops reaches its receivers: a peer still running, and through it the script's own port", async () => {
    const d = new Deployment();
    const leaving = d.service({ name: "leaving", src: fixture("last-word.ts"), on: d.localhost() });
    const relay = d.service({ name: "relay", src: fixture("relay.ts"), on: d.localhost() });
    const me = d.external({ name: "script" });
    leaving.ports.last.connect(relay.ports.inbound);
    relay.ports.outbound.connect(me.ports.heard);
    await d.deploy();
    await d.teardown();
    // Read after teardown: the script's port keeps what arrived until it is read.
    assert.deepEqual(await collect(me.ports.heard), [{ from: "relay", data: { n: 99, from: "leaving" } }]);
    assert.equal(await leaving.exitCode(), 0);
  });

  test("teardown() while deploy() is still starting things stops it, and leaves nothing running", async () => {
    const tag = uniqueTag();
    const d = new Deployment();
    for (let i = 0; i < 4; i++) d.service({ name: `r${i}`, src: fixture("relay.ts"), on: d.localhost(), args: [tag] });
    const deploying = d.deploy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await d.teardown();
    await assert.rejects(deploying, /^TornDownError: deploy\(\): given up, deployment \w+ is being torn down$/);
    await eventually(() => processesMatching(tag).length === 0, 5_000, "every relay to exit");
  });

  test("a process() gets its ports substituted and is ready when its port accepts connections", async () => {
    const d = new Deployment();
    const web = d.process({
      name: "web",
      command: webServer(dir),
      on: d.localhost(),
      ports: { main: 0 },
    });
    fs.writeFileSync(path.join(dir, "hello.txt"), "hello from python");
    const fetcher = d.process({
      name: "fetcher",
      command: fetchHello,
      on: d.localhost(),
      ports: { target: 0 },
    });
    fetcher.ports.target.connect(web.ports.main);
    const output = fetcher.stdout();
    await d.deploy();
    try {
      const { host, port } = web.address("main");
      assert.equal(host, "127.0.0.1");
      assert.equal(await (await fetch(`http://${host}:${port}/hello.txt`)).text(), "hello from python");
      const [line] = await collect(output);
      assert.equal(line, "hello from python");
      assert.equal(await fetcher.exitCode(), 0);
    } finally {
      await d.teardown();
    }
    assert.ok((await web.exitCode()) !== 0, "the server was stopped by a signal");
  });

  test("stack traces of a crashing program point at its TypeScript source", async () => {
    const d = new Deployment();
    const crash = d.service({ name: "crash", src: fixture("crash-in-code.ts"), on: d.localhost() });
    const stderr = crash.stderr();
    await d.deploy();
    const lines = await collect(stderr);
    await d.teardown();
    assert.match(lines.join("\n"), /at explode \(.*test\/fixtures\/crash-in-code\.ts:4:9\)/);
    assert.equal(await crash.exitCode(), 1);
  });
});
