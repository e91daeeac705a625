// connect(): which failures are retried, what a caller can check on the error (SshConnectError's
// reason), and that a teardown ends it at once as a TornDownError. An in-process ssh2 server plays
// the host; a dialer that fails plays the network.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import path from "node:path";
import type { Duplex } from "node:stream";
import ssh2 from "ssh2";
import { connect, directDialer, type ConnectOptions, type Dialer, type SshEndpoint } from "./connection.js";
import { SshConnectError } from "./errors.js";
import { KnownHosts } from "./known-hosts.js";
import { TornDownError } from "../errors.js";
import { tempDir } from "../../test/helpers.js";

const clientKey = ssh2.utils.generateKeyPairSync("ed25519");
const hostKey = ssh2.utils.generateKeyPairSync("ed25519");
/** A public key as the hostKey option takes it: "ssh-ed25519 AAAA…". */
const publicLine = (key: { public: string }) => key.public.split(" ").slice(0, 2).join(" ");

const endpoint = (port: number, extra: Partial<SshEndpoint> = {}): SshEndpoint => ({
  host: "127.0.0.1",
  port,
  user: "tester",
  auth: { privateKey: clientKey.private },
  hostKey: undefined,
  label: `ssh host "test" (tester@127.0.0.1:${port})`,
  ...extra,
});

const options = (extra: Partial<ConnectOptions> = {}): ConnectOptions => ({
  attempts: 1,
  knownHosts: new KnownHosts(path.join(tempDir(), "known_hosts")),
  dial: directDialer,
  signal: new AbortController().signal,
  onLost: () => {},
  ...extra,
});

const failingDial =
  (code: string, dials: { count: number } = { count: 0 }): Dialer =>
  async () => {
    dials.count++;
    throw Object.assign(new Error(`connect ${code} 127.0.0.1:22`), { code });
  };

/** Checks `error` is an SshConnectError with `reason` and `attempts`, whose message starts as users have always seen it. */
const connectFailure = (reason: string, attempts: number, detail: RegExp) => (error: unknown) => {
  assert.ok(error instanceof SshConnectError, String(error));
  assert.equal(error.reason, reason);
  assert.equal(error.attempts, attempts);
  assert.match(
    error.message,
    new RegExp(`^cannot connect to ssh host "test" \\(tester@127\\.0\\.0\\.1:\\d+\\)${attempts > 1 ? ` after ${attempts} attempts` : ""}: ${detail.source}`),
  );
  return true;
};

describe("connect", () => {
  let server: ssh2.Server;
  let port: number;
  /** Sockets that never speak SSH: a handshake to them waits until torn down. */
  let silent: net.Server;
  let silentPort: number;

  before(async () => {
    server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
      client.on("authentication", (context) => (context.method === "none" ? context.reject(["publickey"]) : context.reject()));
      client.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
    silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  after(() => {
    server.close();
    silent.close();
  });

  test("a refused port is retried up to `attempts`, then one SshConnectError saying how many", async () => {
    const dials = { count: 0 };
    await assert.rejects(
      connect(endpoint(22), options({ attempts: 3, dial: failingDial("ECONNREFUSED", dials) })),
      connectFailure("refused", 3, /connection refused on port 22 \(is sshd running there\?\)$/),
    );
    assert.equal(dials.count, 3);
  });

  test("an unreachable network is retried too, with reason network", async () => {
    await assert.rejects(connect(endpoint(22), options({ attempts: 2, dial: failingDial("EHOSTUNREACH") })), connectFailure("network", 2, /EHOSTUNREACH: /));
  });

  test("a host key that is not the pinned one is refused at once, whatever `attempts` says", async () => {
    await assert.rejects(
      connect(endpoint(port, { hostKey: publicLine(ssh2.utils.generateKeyPairSync("ed25519")) }), options({ attempts: 3 })),
      connectFailure("host-key", 1, /host key of \[127\.0\.0\.1\]:\d+ does not match: expected SHA256:\S+ \(from the hostKey option\), got SHA256:\S+/),
    );
  });

  test("a refused login is not retried: reason authentication", async () => {
    await assert.rejects(
      connect(endpoint(port, { hostKey: publicLine(hostKey) }), options({ attempts: 3 })),
      connectFailure("authentication", 1, /authentication failed for user "tester" with the given private key$/),
    );
  });

  test("while the machine boots, every failure is retried, also one that would not be after", async () => {
    const dials = { count: 0 };
    await assert.rejects(connect(endpoint(22), options({ attempts: 1, dial: failingDial("EPROTO", dials), bootingUntil: Date.now() + 500 })), (error) =>
      connectFailure("other", dials.count, /connect EPROTO/)(error),
    );
    // Waits of 200 and 400 ms (at most 1 s while booting): 3 dials in the 500 ms, or 2 on a slow machine.
    assert.ok(dials.count >= 2, `dialed ${dials.count} times while booting`);
  });

  test("torn down between attempts: given up at once with a TornDownError, not an SshConnectError", async () => {
    const cancellation = new AbortController();
    const connecting = connect(endpoint(22), options({ attempts: 10, dial: failingDial("ECONNREFUSED"), signal: cancellation.signal }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const aborted = Date.now();
    cancellation.abort(new TornDownError("deployment ab12cd34", "deploy()"));
    await assert.rejects(connecting, (error) => {
      assert.ok(error instanceof TornDownError, String(error));
      assert.equal(error.message, 'connecting to ssh host "test" (tester@127.0.0.1:22): given up, deployment ab12cd34 is being torn down');
      return true;
    });
    assert.ok(Date.now() - aborted < 150, `gave up ${Date.now() - aborted} ms after the abort`);
  });

  test("torn down during the SSH handshake: the handshake is given up at once", async () => {
    const cancellation = new AbortController();
    const connecting = connect(endpoint(silentPort), options({ signal: cancellation.signal }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const aborted = Date.now();
    cancellation.abort();
    await assert.rejects(connecting, (error) => error instanceof TornDownError && error.deployment === "the deployment");
    assert.ok(Date.now() - aborted < 150, `gave up ${Date.now() - aborted} ms after the abort`);
  });

  test("torn down as the dial completes: no handshake is started", async () => {
    const cancellation = new AbortController();
    let socket: Duplex | undefined;
    const dialThenTearDown: Dialer = async (host, port, signal) => {
      const dialed = await directDialer(host, port, signal);
      cancellation.abort();
      return (socket = dialed);
    };
    const started = Date.now();
    await assert.rejects(connect(endpoint(silentPort), options({ dial: dialThenTearDown, signal: cancellation.signal })), TornDownError);
    assert.ok(Date.now() - started < 1_000, `gave up after ${Date.now() - started} ms`);
    assert.ok(socket?.destroyed, "the dialed socket is closed");
  });

  test("torn down while dialing: the dial is given up, its socket destroyed", async () => {
    const cancellation = new AbortController();
    const dialing = directDialer("127.0.0.1", silentPort, cancellation.signal);
    // Before the TCP handshake can have finished (it needs the event loop).
    cancellation.abort();
    await assert.rejects(
      dialing,
      (error) => error instanceof TornDownError && error.message === `connecting to 127.0.0.1:${silentPort}: given up, the deployment is being torn down`,
    );
  });
});
