import net from "node:net";
import type { Duplex } from "node:stream";
import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from "ssh2";
import { TornDownError } from "../errors.js";
import type { Exit } from "../host.js";
import { retry } from "../backoff.js";
import { tornDownError, type TornDownSignal } from "../torn-down.js";
import type { KnownHosts } from "./known-hosts.js";
import { SshConnectError, TRANSIENT_REASONS, type SshConnectReason } from "./errors.js";

export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  auth: { privateKey?: string | Buffer; agent?: string; privateKeyPath?: string };
  hostKey: string | undefined;
  /** For messages: `ssh host "host2" (root@10.0.0.2:22)`. */
  label: string;
}

/** Opens the byte stream an SSH connection runs over: TCP, or a channel through a jump host. */
export type Dialer = (host: string, port: number, signal: AbortSignal) => Promise<Duplex>;

const DIAL_TIMEOUT_MS = 10_000;

export const directDialer: Dialer = (host, port, signal) =>
  new Promise((resolve, reject) => {
    // Nagle's algorithm added ~45 ms per channel round trip (docs/ARCHITECTURE.md §8).
    const socket = net.connect({ host, port, noDelay: true });
    // An unreachable host would otherwise wait for the kernel's ~2 min SYN retries.
    const timer = setTimeout(() => fail(Object.assign(new Error(`no answer within ${DIAL_TIMEOUT_MS / 1000} s`), { code: "ETIMEDOUT" })), DIAL_TIMEOUT_MS);
    const onAbort = () => fail(tornDownError({ signal, what: `connecting to ${host}:${port}` }));
    const fail = (error: Error) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.off("error", fail);
      resolve(socket);
    });
    socket.once("error", fail);
  });

export interface ConnectOptions {
  attempts: number;
  knownHosts: KnownHosts;
  dial: Dialer;
  /** Aborted when the deployment is torn down: a connection still being made gives up at once. */
  signal: AbortSignal;
  /** Called once if an established connection drops (dead host, killed sshd, link down). */
  onLost: (reason: string) => void;
  /**
   * A machine still booting (a new cloud VM) until this time (ms since the epoch): until then every
   * failure but cancellation is retried, whatever `attempts` says: a refused port, a timeout, the
   * image's own host key before the pinned one is installed, a user not authorized yet.
   */
  bootingUntil?: number;
}

/**
 * Connects and authenticates, retrying transient network errors with backoff; one SshConnectError
 * after the last try, or a TornDownError as soon as the deployment is torn down.
 */
export async function connect(endpoint: SshEndpoint, options: ConnectOptions): Promise<Client> {
  const ssh2 = (await import("ssh2")).default;
  const tornDown: TornDownSignal = { signal: options.signal, what: `connecting to ${endpoint.label}` };
  let attempts = 0;
  try {
    return await retry(
      (attempt) => {
        attempts = attempt;
        return connectOnce(new ssh2.Client(), endpoint, options, tornDown);
      },
      {
        // A booting VM answers within seconds of its sshd starting: look often while it boots.
        firstDelayMs: 200,
        maxDelayMs: options.bootingUntil ? 1_000 : 5_000,
        tornDown,
        shouldRetry: (error, attempt) => {
          const booting = options.bootingUntil !== undefined && Date.now() < options.bootingUntil;
          return booting || (TRANSIENT_REASONS.has(explain(error, endpoint).reason) && attempt < options.attempts);
        },
      },
    );
  } catch (error) {
    if (error instanceof TornDownError) throw error;
    const { reason, detail } = explain(error, endpoint);
    throw new SshConnectError(endpoint.label, reason, attempts, detail);
  }
}

/** The host's key is not the pinned one (what `KnownHosts.check` said, as the message). */
class HostKeyRefused extends Error {}

async function connectOnce(client: Client, endpoint: SshEndpoint, options: ConnectOptions, tornDown: TornDownSignal): Promise<Client> {
  const sock = await options.dial(endpoint.host, endpoint.port, options.signal);
  let refusal: string | undefined;
  const config: ConnectConfig = {
    sock: sock as ConnectConfig["sock"],
    username: endpoint.user,
    ...endpoint.auth,
    readyTimeout: 15_000,
    // A dead host is noticed within ~8 s rather than at the next TCP timeout.
    keepaliveInterval: 2_000,
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer) => {
      refusal = options.knownHosts.check(endpoint.host, endpoint.port, key, endpoint.hostKey);
      return refusal === undefined;
    },
  };
  // One error listener for the client's whole life: ssh2 may emit several errors for one failure
  // (a handshake timeout, then "connection lost"), and an unheard one would crash the deployer.
  let ready = false;
  let lost = false;
  let failHandshake: (error: Error) => void = () => {};
  const onLost = (reason: string) => {
    if (lost) return;
    lost = true;
    options.onLost(reason);
  };
  client.on("error", (error) => (ready ? onLost(`connection failed: ${error.message}`) : failHandshake(error)));
  client.on("close", () => (ready ? onLost("closed the connection") : failHandshake(new Error("the connection closed during the SSH handshake"))));
  const abort = () => failHandshake(tornDownError(tornDown));
  try {
    await new Promise<void>((resolve, reject) => {
      failHandshake = (error) => reject(refusal ? new HostKeyRefused(refusal) : error);
      // Torn down while dialing: do not start a handshake that would hold on for its readyTimeout.
      if (options.signal.aborted) return abort();
      options.signal.addEventListener("abort", abort, { once: true });
      client.once("ready", () => resolve());
      client.connect(config);
    });
  } catch (error) {
    client.end();
    sock.destroy();
    throw error;
  } finally {
    options.signal.removeEventListener("abort", abort);
    failHandshake = () => {};
  }
  ready = true;
  // Closed on purpose: not a loss.
  const end = client.end.bind(client);
  client.end = () => {
    lost = true;
    return end();
  };
  return client;
}

/** What one failed attempt means: its reason, and the words for it after "cannot connect to …: ". */
function explain(failure: unknown, endpoint: SshEndpoint): { reason: SshConnectReason; detail: string } {
  const error = failure as Error & { code?: string; level?: string };
  if (error instanceof HostKeyRefused) return { reason: "host-key", detail: error.message };
  if (error.level === "client-authentication") {
    const how = endpoint.auth.agent
      ? `the agent at ${endpoint.auth.agent}`
      : endpoint.auth.privateKeyPath
        ? `key ${endpoint.auth.privateKeyPath}`
        : "the given private key";
    return { reason: "authentication", detail: `authentication failed for user "${endpoint.user}" with ${how}` };
  }
  if (error.code === "ECONNREFUSED") return { reason: "refused", detail: `connection refused on port ${endpoint.port} (is sshd running there?)` };
  if (error.code === "ETIMEDOUT") return { reason: "timeout", detail: `${error.code}: ${error.message}` };
  if (error.code && NETWORK_CODES.has(error.code)) return { reason: "network", detail: `${error.code}: ${error.message}` };
  if (/timed out/i.test(error.message)) return { reason: "timeout", detail: "timed out during the SSH handshake" };
  return { reason: "other", detail: error.message };
}

const NETWORK_CODES = new Set(["ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** A command running in an exec channel, and its exit (watched from the channel's first moment). */
export interface ExecSession {
  channel: ClientChannel;
  exited: Promise<Exit>;
}

/** sshd's default MaxSessions is 10 per connection; stay under it and open another connection when full. */
const SESSIONS_PER_CONNECTION = 8;

/**
 * The SSH connections to one host: sessions (exec, sftp) are spread over as many connections as
 * they need; port forwards use the first.
 */
export class SessionPool {
  private readonly connections: Array<{ client: Client; sessions: number }> = [];
  private opening: Promise<{ client: Client; sessions: number }> | undefined;

  constructor(
    first: Client,
    private readonly open: () => Promise<Client>,
  ) {
    this.connections.push({ client: first, sessions: 0 });
  }

  get primary(): Client {
    return this.connections[0]!.client;
  }

  private async acquire(): Promise<{ client: Client; sessions: number }> {
    for (;;) {
      const free = this.connections.find((connection) => connection.sessions < SESSIONS_PER_CONNECTION);
      if (free) {
        free.sessions++;
        return free;
      }
      this.opening ??= this.open()
        .then((client) => {
          const connection = { client, sessions: 0 };
          this.connections.push(connection);
          return connection;
        })
        .finally(() => (this.opening = undefined));
      await this.opening;
    }
  }

  /**
   * Runs `command` in a new session; the slot is released when the channel closes. The exit is
   * listened for from the exec callback on: the reply, the output and the exit status may arrive
   * in one read, and ssh2 emits `exit` once, unbuffered (output, a stream, waits for its reader).
   */
  async exec(command: string): Promise<ExecSession> {
    const connection = await this.acquire();
    return new Promise((resolve, reject) => {
      connection.client.exec(command, (error, channel) => {
        if (error) {
          connection.sessions--;
          return reject(error);
        }
        const exited = new Promise<Exit>((resolveExit) => {
          let exit: Exit = { code: null, signal: null };
          // ssh2 names signals "SIGTERM" already; a channel closed without either lost its connection.
          channel.once("exit", (code: number | null, signal?: string) => (exit = { code: signal ? null : code, signal: signal ?? null }));
          channel.once("close", () => {
            connection.sessions--;
            resolveExit(exit);
          });
        });
        resolve({ channel, exited });
      });
    });
  }

  /** Runs a short command to completion and returns its output. */
  async run(command: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
    const { channel, exited } = await this.exec(command);
    let stdout = "";
    let stderr = "";
    channel.on("data", (chunk: Buffer) => (stdout += chunk));
    channel.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    channel.end();
    const { code } = await exited;
    return { stdout, stderr, code };
  }

  private sftpSession: Promise<SFTPWrapper> | undefined;

  sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= this.acquire().then(
      (connection) => new Promise((resolve, reject) => connection.client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)))),
    );
    return this.sftpSession;
  }

  end(): void {
    for (const { client } of this.connections) client.end();
  }
}
