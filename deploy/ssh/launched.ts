import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { PassThrough, type Duplex } from "node:stream";
import type { Client, ClientChannel } from "ssh2";
import type { Address, Command, Exit, LaunchContext, LaunchedHost, RunningProcess } from "../host.js";
import type { Bundle } from "../bundle.js";
import { HydroError } from "../errors.js";
import { connect, directDialer, SessionPool, type Dialer, type SshEndpoint } from "./connection.js";
import { KnownHosts } from "./known-hosts.js";
import { commandLine, quote } from "./quote.js";
import { localNodeBinary, localPlatform, MIN_NODE_MAJOR } from "./node-binary.js";
import type { SshHost } from "./index.js";

/** One round trip at launch: a run directory for sockets, the cache directory, and what node there is. */
const PROBE = [
  "run=$(mktemp -d /tmp/hydro-XXXXXX) || exit 1",
  'mkdir -p "$HOME/.hydro/cache" || exit 1',
  'echo "home=$HOME"',
  'echo "run=$run"',
  'echo "platform=$(uname -sm)"',
  "node=$(command -v node 2>/dev/null) || exit 0",
  'echo "node=$node"',
  // Starting node to ask its version costs ~100 ms, so the answer is kept, keyed by the binary's mtime and size.
  'stamp="$node $(stat -L -c %Y:%s "$node")"',
  'if [ "$(head -n 1 "$HOME/.hydro/node-version" 2>/dev/null)" != "$stamp" ]; then',
  '  printf "%s\\n%s\\n" "$stamp" "$("$node" -p process.versions.node 2>/dev/null)" > "$HOME/.hydro/node-version"',
  "fi",
  'echo "nodeVersion=$(sed -n 2p "$HOME/.hydro/node-version")"',
  "exit 0",
].join("\n");

/** A machine reached over SSH: programs run in exec channels, files go over SFTP, ports meet through tunnels. */
export class LaunchedSshHost implements LaunchedHost {
  readonly local = false;
  private readonly installs = new Map<string, Promise<{ path: string; uploaded: boolean }>>();
  private readonly tunnels = new Map<string, Promise<Address>>();
  private readonly servers: net.Server[] = [];
  private readonly reverse = new Map<number, Address>();
  private sockets = 0;

  private constructor(
    readonly name: string,
    private readonly pool: SessionPool,
    readonly networkAddress: string,
    readonly node: string,
    private readonly home: string,
    private readonly runDir: string,
  ) {
    // Connections into reverse tunnels (tunnelFrom) arrive here, by the remote port they came in on.
    pool.primary.on("tcp connection", (info, accept, reject) => {
      const target = this.reverse.get(info.destPort);
      if (!target) return reject();
      splice(openLocal(target), accept());
    });
  }

  static async launch(spec: SshHost, context: LaunchContext): Promise<LaunchedSshHost> {
    const { options } = spec;
    const endpoint: SshEndpoint = {
      host: options.host,
      port: options.port,
      user: options.user,
      auth: {
        ...(options.privateKeyPath ? { privateKey: fs.readFileSync(options.privateKeyPath), privateKeyPath: options.privateKeyPath } : {}),
        ...(options.privateKey ? { privateKey: options.privateKey } : {}),
        ...(options.agent ? { agent: options.agent } : {}),
      },
      hostKey: options.hostKey,
      label: `ssh host "${spec.name}" (${options.user}@${options.host}:${options.port})`,
    };
    const dial: Dialer = options.jump ? ((await context.launched(options.jump)) as LaunchedSshHost).dial : directDialer;
    const open = () =>
      connect(endpoint, { attempts: options.connectAttempts, knownHosts: new KnownHosts(), dial, onLost: (reason) => context.lost(spec, reason) });
    const pool = new SessionPool(await open(), open);
    try {
      const probe = await pool.run(PROBE);
      const facts = Object.fromEntries(probe.stdout.split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
      if (probe.code !== 0 || !facts.home || !facts.run)
        throw new HydroError(`${endpoint.label}: cannot prepare the host: ${probe.stderr.trim() || `exit code ${probe.code}`}`);
      const node = await usableNode(pool, facts, endpoint.label);
      return new LaunchedSshHost(spec.name, pool, options.host, node, facts.home, facts.run);
    } catch (error) {
      pool.end();
      throw error;
    }
  }

  /** A byte stream to host:port as this host sees it: how a host behind this one (a jump host) is reached. */
  readonly dial: Dialer = (host, port) => forward((callback) => this.pool.primary.forwardOut("127.0.0.1", 0, host, port, callback));

  /** Uploads a bundle (and its source map) to a content-addressed path, unless it is already there. */
  install(bundle: Bundle): Promise<{ path: string; uploaded: boolean }> {
    let installing = this.installs.get(bundle.hash);
    if (!installing) {
      const remote = `${this.home}/.hydro/cache/${bundle.hash}.mjs`;
      installing = (async () => {
        // The map first: a bundle visible under its final name always has its map.
        const uploadedMap = await upload(this.pool, `${bundle.path}.map`, `${remote}.map`);
        const uploaded = await upload(this.pool, bundle.path, remote);
        return { path: remote, uploaded: uploaded || uploadedMap };
      })();
      this.installs.set(bundle.hash, installing);
    }
    return installing;
  }

  socketPath(label: string): string {
    return `${this.runDir}/${this.sockets++}-${label.replace(/[^\w.-]/g, "_").slice(0, 40)}.sock`;
  }

  async freePort(): Promise<number> {
    const script = "const s=require('net').createServer().listen(0,process.argv[1],()=>{console.log(s.address().port);s.close()})";
    const { stdout, code, stderr } = await this.pool.run(commandLine([this.node, "-e", script, this.networkAddress], {}));
    const port = Number(stdout.trim());
    if (code !== 0 || !port) throw new HydroError(`ssh host "${this.name}": cannot find a free port: ${stderr.trim()}`);
    return port;
  }

  async spawn({ argv, env }: Command): Promise<RunningProcess> {
    // The login shell prints its pid, then becomes the program: that pid is the process group to signal,
    // since sshd ignores signal requests for root logins without privilege separation (DESIGN §8).
    const channel = await this.pool.exec(`echo $$; cd ${quote(this.home)} && exec ${commandLine(argv, env)}`);
    return remoteProcess(channel, (signal, pid) => {
      const name = signal.replace(/^SIG/, "");
      this.pool.run(`kill -s ${name} -- -${pid} 2>/dev/null || kill -s ${name} ${pid} 2>/dev/null`).catch(() => {});
    });
  }

  async accepts(address: Address): Promise<boolean> {
    try {
      (await this.openRemote(address)).destroy();
      return true;
    } catch {
      return false;
    }
  }

  private openRemote(address: Address): Promise<Duplex> {
    const client = this.pool.primary;
    return forward((callback) =>
      address.kind === "unix"
        ? client.openssh_forwardOutStreamLocal(address.path, callback)
        : client.forwardOut("127.0.0.1", 0, address.host, address.port, callback),
    );
  }

  /**
   * A loopback TCP port on the deployer; each connection to it is forwarded to `address` on this
   * host. TCP rather than a unix socket, so a process() on the deployer gets a host:port too.
   */
  tunnelTo(address: Address): Promise<Address> {
    const key = `to ${JSON.stringify(address)}`;
    let tunnel = this.tunnels.get(key);
    if (!tunnel) {
      tunnel = new Promise((resolve, reject) => {
        const server = net.createServer({ noDelay: true }, (socket) => {
          this.openRemote(address).then(
            (stream) => splice(socket, stream),
            () => socket.destroy(),
          );
        });
        this.servers.push(server);
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve({ kind: "tcp", host: "127.0.0.1", port: (server.address() as net.AddressInfo).port }));
      });
      this.tunnels.set(key, tunnel);
    }
    return tunnel;
  }

  /** A port on this host's loopback; each connection to it comes back over SSH to `address` on the deployer. */
  tunnelFrom(address: Address): Promise<Address> {
    const key = `from ${JSON.stringify(address)}`;
    let tunnel = this.tunnels.get(key);
    if (!tunnel) {
      tunnel = new Promise((resolve, reject) => {
        this.pool.primary.forwardIn("127.0.0.1", 0, (error, port) => {
          if (error) return reject(new HydroError(`ssh host "${this.name}": cannot open a reverse tunnel: ${error.message}`));
          this.reverse.set(port, address);
          resolve({ kind: "tcp", host: "127.0.0.1", port });
        });
      });
      this.tunnels.set(key, tunnel);
    }
    return tunnel;
  }

  async teardown(): Promise<void> {
    for (const server of this.servers) server.close();
    await this.pool.run(`rm -rf ${quote(this.runDir)}`).catch(() => {});
    this.pool.end();
  }
}

/** The node to run services with: the host's own when new enough, else ours uploaded when the platform matches. */
async function usableNode(pool: SessionPool, facts: Record<string, string | undefined>, label: string): Promise<string> {
  const major = Number(facts.nodeVersion?.split(".")[0]);
  if (facts.node && major >= MIN_NODE_MAJOR) return facts.node;
  const found = facts.node ? `node ${facts.nodeVersion} (at ${facts.node}) is older than ${MIN_NODE_MAJOR}` : "node is not installed";
  if (facts.platform !== localPlatform) {
    throw new HydroError(
      `${label}: ${found}, and its platform (${facts.platform}) differs from this machine's (${localPlatform}), so this machine's node cannot be uploaded: install Node ${MIN_NODE_MAJOR} or newer there`,
    );
  }
  const binary = await localNodeBinary();
  const remote = `${facts.home}/.hydro/node/${binary.hash}/node`;
  await pool.run(`mkdir -p ${quote(path.posix.dirname(remote))}`);
  await upload(pool, binary.path, remote, 0o755);
  return remote;
}

/** Uploads under a temporary name and renames, so no half-written file is ever visible under `remote`. */
async function upload(pool: SessionPool, local: string, remote: string, mode = 0o644): Promise<boolean> {
  const sftp = await pool.sftp();
  const exists = await new Promise<boolean>((resolve) => sftp.stat(remote, (error) => resolve(!error)));
  if (exists) return false;
  const temporary = `${remote}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await new Promise<void>((resolve, reject) => sftp.fastPut(local, temporary, { mode }, (error) => (error ? reject(error) : resolve())));
  // If the rename fails, someone uploaded the same content meanwhile: theirs is as good as ours.
  await new Promise<void>((resolve) => sftp.rename(temporary, remote, (error) => (error ? sftp.unlink(temporary, () => resolve()) : resolve())));
  return true;
}

function forward(open: (callback: (error: Error | undefined, channel: ClientChannel) => void) => Client): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    open((error, channel) => (error ? reject(error) : resolve(channel)));
  });
}

function openLocal(address: Address): net.Socket {
  return address.kind === "unix" ? net.connect(address.path) : net.connect({ host: address.host, port: address.port, noDelay: true });
}

/** Pipes two byte streams into each other; either one closing closes both. */
function splice(a: Duplex, b: Duplex): void {
  a.pipe(b).pipe(a);
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.once("close", close);
  b.once("close", close);
  a.on("error", close);
  b.on("error", close);
}

/** An exec channel as a RunningProcess: the first stdout line is the remote pid, the rest is the program's. */
function remoteProcess(channel: ClientChannel, signal: (signal: string, pid: number) => void): RunningProcess {
  const stdout = new PassThrough();
  let pid: number | undefined;
  let head = Buffer.alloc(0);
  channel.on("data", (chunk: Buffer) => {
    if (pid !== undefined) return void stdout.write(chunk);
    head = Buffer.concat([head, chunk]);
    const newline = head.indexOf(10);
    if (newline < 0) return;
    pid = Number(head.subarray(0, newline).toString());
    if (head.length > newline + 1) stdout.write(head.subarray(newline + 1));
  });
  channel.on("end", () => stdout.end());
  const exited = new Promise<Exit>((resolve) => {
    let exit: Exit = { code: null, signal: null };
    channel.on("exit", (code: number | null, name?: string) => (exit = { code: name ? null : code, signal: name ? `SIG${name}` : null }));
    channel.once("close", () => resolve(exit));
  });
  return {
    stdin: channel,
    stdout,
    stderr: channel.stderr,
    exited,
    signal(name) {
      if (pid !== undefined) signal(name, pid);
    },
  };
}
