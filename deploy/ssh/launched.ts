import type { Address, Command, Host, LaunchContext, LaunchedHost, RunningProcess } from "../host.js";
import type { Bundle } from "../bundle.js";
import { HostError, HydroError, TornDownError } from "../errors.js";
import { connect, directDialer, SessionPool, type Dialer, type SshEndpoint } from "./connection.js";
import { KnownHosts } from "./known-hosts.js";
import { probeHost } from "./probe.js";
import { commandLine, quote } from "./quote.js";
import { spawnRemote } from "./remote-process.js";
import { forward, Tunnels } from "./tunnels.js";
import { download } from "./download.js";
import { upload, type UploadOptions } from "./upload.js";
import { ENTER_CGROUP, ENV_RUN_MARKER } from "../containment.js";
import { clearHostCgroup, freezeContained, killContained, programCgroup, removeHostCgroup } from "./remote-containment.js";

/**
 * Where and how to reach a machine over SSH. Hand-made hosts build it from their options
 * (deploy/ssh/index.ts); cloud hosts from the address and key they learn at launch.
 */
export interface SshTarget {
  endpoint: SshEndpoint;
  /** Which network the host is on (LaunchedHost.network); its `endpoint.host` is its address there. */
  network: string;
  /** A launched SSH host to reach this one through (a jump host). */
  via?: LaunchedSshHost;
  connectAttempts: number;
  /** A new VM: connection failures are retried until this time (ConnectOptions.bootingUntil). */
  bootingUntil?: number;
  /** A file (relative to the home directory) touched every `everyMs` while the deployer is connected: a VM's dead-man switch watches it. */
  alive?: { file: string; everyMs: number };
}

/**
 * What went wrong reaching or preparing a host, as a HostError naming it (the message already says
 * what and where; an SshConnectError's reason stays as its `cause`). Being torn down is no failure of the host.
 */
function asHostError(host: string, error: unknown): unknown {
  const wrap = error instanceof HydroError && !(error instanceof HostError) && !(error instanceof TornDownError);
  return wrap ? Object.assign(new HostError(host, error.message), { cause: error }) : error;
}

/** A launched SSH host, for any host kind that becomes one once it has an address (cloud VMs). */
export function connectSsh(spec: Host, target: SshTarget, context: LaunchContext): Promise<LaunchedSshHost> {
  return LaunchedSshHost.connect(spec, target, context);
}

/** A machine reached over SSH: programs run in exec channels, files go over SFTP, ports meet through tunnels. */
export class LaunchedSshHost implements LaunchedHost {
  readonly local = false;
  private readonly installs = new Map<string, Promise<{ path: string; uploaded: boolean }>>();
  private readonly tunnels: Tunnels;
  private sockets = 0;

  private constructor(
    readonly name: string,
    readonly network: string,
    private readonly pool: SessionPool,
    readonly networkAddress: string,
    readonly node: string,
    private readonly home: string,
    private readonly runDir: string,
    private readonly cgroup: string,
    private readonly uploads: UploadOptions,
  ) {
    this.tunnels = new Tunnels(pool.primary, name);
  }

  /** Connects (through `target.via` when given), learns what the host has, and sweeps what dead deployers left there. */
  static async connect(spec: Host, target: SshTarget, context: LaunchContext): Promise<LaunchedSshHost> {
    const { endpoint } = target;
    const open = () =>
      connect(endpoint, {
        attempts: target.connectAttempts,
        knownHosts: new KnownHosts(),
        dial: target.via?.dial ?? directDialer,
        signal: context.signal,
        onLost: (reason) => context.lost(spec, reason),
        ...(target.bootingUntil ? { bootingUntil: target.bootingUntil } : {}),
      });
    const pool = new SessionPool(await open().catch((error: unknown) => Promise.reject(asHostError(spec.name, error))), open);
    try {
      const facts = await probeHost(pool, endpoint.label, context.signal);
      const uploads = { signal: context.signal, owner: facts.owner, label: `ssh host "${spec.name}"` };
      const launched = new LaunchedSshHost(spec.name, target.network, pool, endpoint.host, facts.node, facts.home, facts.runDir, facts.cgroup, uploads);
      if (target.alive) launched.keepTouching(`${facts.home}/${target.alive.file}`, target.alive.everyMs);
      return launched;
    } catch (error) {
      pool.end();
      throw asHostError(spec.name, error);
    }
  }

  private touching: NodeJS.Timeout | undefined;

  /** The deployer's heartbeat for a dead-man switch on the host: `file` is touched every `everyMs` until teardown. */
  private keepTouching(file: string, everyMs: number): void {
    const touch = () => void this.pool.run(`touch ${quote(file)}`).catch(() => {});
    touch();
    this.touching = setInterval(touch, everyMs).unref();
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
        const uploadedMap = await upload(this.pool, `${bundle.path}.map`, `${remote}.map`, this.uploads);
        const uploaded = await upload(this.pool, bundle.path, remote, this.uploads);
        return { path: remote, uploaded: uploaded || uploadedMap };
      })().catch((error: unknown) => Promise.reject(asHostError(this.name, error)));
      this.installs.set(bundle.hash, installing);
    }
    return installing;
  }

  socketPath(label: string): string {
    return `${this.workPath(label)}.sock`;
  }

  workPath(label: string): string {
    return `${this.runDir}/${this.sockets++}-${label.replace(/[^\w.-]/g, "_").slice(0, 40)}`;
  }

  download(remotePath: string, localPath: string): Promise<void> {
    return download(this.pool, remotePath, localPath, `ssh host "${this.name}"`);
  }

  async freePort(): Promise<number> {
    const script = "const s=require('net').createServer().listen(0,process.argv[1],()=>{console.log(s.address().port);s.close()})";
    const { stdout, code, stderr } = await this.pool.run(commandLine([this.node, "-e", script, this.networkAddress], {}));
    const port = Number(stdout.trim());
    if (code !== 0 || !port) throw new HydroError(`ssh host "${this.name}": cannot find a free port: ${stderr.trim()}`);
    return port;
  }

  spawn({ argv, env, marker }: Command): Promise<RunningProcess> {
    const contained = ["sh", "-c", ENTER_CGROUP, "hydro-contain", programCgroup(this.cgroup, marker), ...argv];
    const line = `cd ${quote(this.home)} && ${commandLine(contained, { ...env, [ENV_RUN_MARKER]: marker })}`;
    return spawnRemote(this.pool, line, `ssh host "${this.name}"`, {
      kill: killContained(this.cgroup, marker),
      freeze: (frozen) => freezeContained(this.cgroup, marker, frozen),
    });
  }

  async accepts(address: Address): Promise<boolean> {
    try {
      (await this.tunnels.open(address)).destroy();
      return true;
    } catch {
      return false;
    }
  }

  tunnelTo(address: Address): Promise<Address> {
    return this.tunnels.to(address);
  }

  tunnelFrom(address: Address): Promise<Address> {
    return this.tunnels.from(address);
  }

  /** One round trip: what is left in the programs' cgroups killed, then the run directory emptied; the connection and the bundles stay. */
  async reset(): Promise<void> {
    this.tunnels.reset();
    const { code, stderr } = await this.pool.run(`${clearHostCgroup(this.cgroup)}rm -rf -- ${quote(this.runDir)}/*`);
    if (code !== 0) throw new HydroError(`ssh host "${this.name}": cannot empty its run directory: ${stderr.trim()}`);
  }

  async teardown(): Promise<void> {
    clearInterval(this.touching);
    this.tunnels.close();
    await this.pool.run(`rm -rf ${quote(this.runDir)}; ${removeHostCgroup(this.cgroup)}`).catch(() => {});
    this.pool.end();
  }

  /** Its programs see their stdin close and exit; the run directory is swept by the next launch on the host. */
  kill(): void {
    clearInterval(this.touching);
    this.tunnels.close();
    this.pool.end();
  }
}
