import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { DeclaredHost, type HostOwner, type LaunchContext, type LaunchedHost, type Command, type RunningProcess, type Exit, type Address } from "../host.js";
import { ConfigError } from "../errors.js";
import { tornDownError } from "../torn-down.js";
import type { Bundle } from "../bundle.js";
import { ENTER_CGROUP, ENV_RUN_MARKER } from "../containment.js";
import { LocalContainment } from "./containment.js";
import { isAlive } from "../process-alive.js";

/** The network of the deployer's own machine: nothing else is on it (LaunchedHost.network). */
export const DEPLOYER_NETWORK = "deployer";

/** The machine the deployer runs on. Programs run as child processes; nothing is copied. */
export class Localhost extends DeclaredHost {
  constructor(owner: HostOwner) {
    super(owner, "localhost", undefined);
  }

  /** The deployer's own machine (where the config script's ports live) stays until teardown: stop its services instead. */
  override terminate(): Promise<void> {
    return Promise.reject(new ConfigError(`${this.name} cannot be terminated: it is the deployer's own machine (stop its services with service.stop())`));
  }

  async launch(context: LaunchContext): Promise<LaunchedHost> {
    await removeOrphanedRunDirs();
    // Unix socket paths are limited to ~107 bytes, so the run directory stays short.
    const runDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), `hydro-${process.pid}-`));
    // Killed meanwhile (a second Ctrl-C does not wait for launches): nobody would remove it later.
    if (context.signal.aborted) {
      fs.rmSync(runDir, { recursive: true, force: true });
      throw tornDownError({ signal: context.signal, what: `launching host "${this.name}"` });
    }
    return new LaunchedLocalhost(this.name, runDir, LocalContainment.create(path.basename(runDir).slice("hydro-".length)));
  }
}

/**
 * A deployer killed with SIGKILL cannot remove its run directory; the next one does. The
 * directory names the pid that made it, so only directories of dead deployers are removed, and
 * only the current user's ($TMPDIR may be shared).
 */
async function removeOrphanedRunDirs(): Promise<void> {
  const entries = await fs.promises.readdir(os.tmpdir()).catch(() => []);
  await Promise.all(
    entries.map(async (entry) => {
      const pid = Number(/^hydro-(\d+)-\w{6}$/.exec(entry)?.[1]);
      if (!pid || isAlive(pid)) return;
      const stat = await fs.promises.stat(path.join(os.tmpdir(), entry)).catch(() => undefined);
      if (stat?.uid !== process.getuid?.()) return;
      await fs.promises.rm(path.join(os.tmpdir(), entry), { recursive: true, force: true });
    }),
  );
}

class LaunchedLocalhost implements LaunchedHost {
  readonly local = true;
  readonly network = DEPLOYER_NETWORK;
  readonly node = process.execPath;
  readonly networkAddress = "127.0.0.1";
  private sockets = 0;

  constructor(
    readonly name: string,
    private readonly runDir: string,
    private readonly containment: LocalContainment,
  ) {}

  async install(bundle: Bundle) {
    return { path: bundle.path, uploaded: false };
  }

  socketPath(label: string): string {
    return `${this.workPath(label)}.sock`;
  }

  workPath(label: string): string {
    return path.join(this.runDir, `${this.sockets++}-${label.replace(/[^\w.-]/g, "_").slice(0, 40)}`);
  }

  async download(from: string, to: string): Promise<void> {
    await fs.promises.copyFile(from, to);
  }

  freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(0, this.networkAddress, () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
  }

  async spawn({ argv, env, marker }: Command): Promise<RunningProcess> {
    const containment = this.containment;
    // Its own process group: a terminal's Ctrl-C reaches only the deployer, which stops services in
    // order, and a group signal also reaches whatever the program started. (node:child_process
    // rather than execa: execa's import alone costs ~35 ms on the critical path of every run.)
    const child = spawn("sh", ["-c", ENTER_CGROUP, "hydro-contain", containment.cgroupOf(marker), ...argv], {
      env: { ...process.env, ...env, [ENV_RUN_MARKER]: marker },
      detached: true,
      stdio: "pipe",
    });
    // A program that exits early closes its stdin; what the deployer writes after that is moot.
    child.stdin.on("error", () => {});
    const exited = new Promise<Exit>((resolve) => {
      // Only when the executable itself cannot be started (node and sh always exist).
      child.once("error", () => resolve({ code: 127, signal: null }));
      child.once("close", (code, signal) => resolve({ code, signal }));
    });
    return {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      abandon() {
        for (const stream of [child.stdin, child.stdout, child.stderr]) stream.destroy();
      },
      signal(signal) {
        if (child.pid === undefined) return;
        // A pause reaches what left the group too (a daemon): the freezer holds it; a resume thaws it first.
        if (signal === "SIGCONT") containment.freeze(marker, false);
        try {
          process.kill(-child.pid, signal);
        } catch {
          // The group is already gone.
        }
        if (signal === "SIGKILL") containment.kill(marker);
        else if (signal === "SIGSTOP") containment.freeze(marker, true);
      },
    };
  }

  accepts(address: Address): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = address.kind === "unix" ? net.connect(address.path) : net.connect(address.port, address.host);
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
  }

  /** The deployer runs here: nothing to tunnel. */
  async tunnelTo(address: Address): Promise<Address> {
    return address;
  }

  async tunnelFrom(address: Address): Promise<Address> {
    return address;
  }

  async reset(): Promise<void> {
    this.containment.clear();
    await fs.promises.rm(this.runDir, { recursive: true, force: true });
    await fs.promises.mkdir(this.runDir, { mode: 0o700 });
  }

  async teardown(): Promise<void> {
    this.containment.release();
    await fs.promises.rm(this.runDir, { recursive: true, force: true });
  }

  kill(): void {
    this.containment.release();
    fs.rmSync(this.runDir, { recursive: true, force: true });
  }
}
