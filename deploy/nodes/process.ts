import type { Address, PortDirection, Target } from "../../runtime/protocol.js";
import type { LaunchedHost, RunningProcess } from "../host.js";
import type { ProcessOptions } from "../options.js";
import { HydroError, ProgramFailedError } from "../errors.js";
import { heartbeatArguments, metricsArguments, PING, WATCHDOG } from "../watchdog.js";
import { GroupSamples } from "../metrics/group-samples.js";
import { readLines } from "../../runtime/protocol.js";
import { describeExit, exitCodeOf, type Exit } from "../host.js";
import { ProgramNode } from "./program.js";
import { FromPhase } from "./phase.js";
import type { BindResult } from "./node.js";
import type { NodeOwner } from "./owner.js";
import type { Callsite } from "../callsite.js";

/** `{port:NAME}`, `{host:NAME}` and `{addr:NAME}` in a process() command or env value. */
export const PLACEHOLDER = /\{(port|host|addr):([\w.-]+)\}/g;

/**
 * Any other program (redis-server, a Python script): its port addresses are substituted into
 * its command line and environment, and it counts as ready when its server ports accept TCP.
 */
export class ProcessNode extends ProgramNode {
  readonly wireKind = "raw";
  override readonly listensAfter = "start";
  override readonly dialsOnce = true;
  readonly kind = "process";
  private readonly addresses = new Map<string, { host: string; port: number }>();
  private readonly launched = new FromPhase<LaunchedHost>("the process's host", "bind");
  private readonly targets = new FromPhase<Record<string, Target[]>>("its receivers", "start");

  constructor(
    owner: NodeOwner,
    private readonly options: ProcessOptions,
    site: Callsite | undefined,
  ) {
    super(owner, options.name, options.on, site, options.stopTimeoutMs);
  }

  /** Declared in options.ports; known before anything starts, so wiring is checked up front (a raw port has no direction). */
  override get declaredPorts(): Record<string, PortDirection> {
    return Object.fromEntries(Object.keys(this.options.ports).map((port) => [port, "in" as const]));
  }

  /**
   * Where one of its ports is, after deploy(): for a port it serves, the host's network address and
   * the TCP port it listens on; for a port it sends on, the receiver's address as it dials it.
   */
  address(port: string): { host: string; port: number } {
    const address = this.addresses.get(port);
    if (!address)
      throw new HydroError(`${this.describe()} has no bound port '${port}' (deploy() first; ports: ${Object.keys(this.options.ports).join(", ") || "none"})`);
    return address;
  }

  private get senderPorts(): Set<string> {
    return new Set(this.owner.edges.filter((edge) => edge.from.node === this).map((edge) => edge.from.name));
  }

  /** Picks the TCP port of every port it serves (fixed in options, or free now). The program binds them itself. */
  async bind(host: LaunchedHost): Promise<BindResult> {
    this.launched.set(host);
    const bound: Record<string, Address> = {};
    const senders = this.senderPorts;
    for (const [name, fixed] of Object.entries(this.options.ports)) {
      if (senders.has(name)) continue;
      const port = fixed || (await host.freePort());
      this.addresses.set(name, { host: host.networkAddress, port });
      bound[name] = { kind: "tcp", host: host.networkAddress, port };
    }
    return { bound };
  }

  async start(targets: Record<string, Target[]>): Promise<void> {
    this.targets.set(targets);
    for (const [name, [target]] of Object.entries(targets)) {
      if (target?.address.kind === "tcp") this.addresses.set(name, { host: target.address.host, port: target.address.port });
    }
    const substitute = (text: string) =>
      text.replace(PLACEHOLDER, (_, what: string, name: string) => {
        const address = this.address(name);
        return what === "port" ? String(address.port) : what === "host" ? address.host : `${address.host}:${address.port}`;
      });
    const argv = typeof this.options.command === "string" ? ["sh", "-c", this.options.command] : this.options.command;
    const env = Object.fromEntries(Object.entries(this.options.env).map(([key, value]) => [key, substitute(value)]));
    const host = this.launched.get();
    const heartbeatMs = this.heartbeatMs(host);
    const [run, samples] = [this.run, new GroupSamples()];
    const process = await this.launch(host, {
      argv: [
        "sh",
        "-c",
        WATCHDOG,
        "hydro-watchdog",
        ...heartbeatArguments(heartbeatMs),
        ...metricsArguments(this.owner.options.metricsIntervalMs, samples.mark),
        ...argv.map(substitute),
      ],
      env,
    });
    this.keepAlive(process, heartbeatMs, () => process.stdin.write(PING));
    readLines(
      process.stdout,
      (line) => this.stdoutLines.push(line),
      () => this.stdoutLines.end(),
    );
    readLines(
      process.stderr,
      (line) => {
        const { text, measures } = samples.read(line);
        // A raw port's traffic is the program's own business: no counters.
        if (measures) this.measured({ run, ...measures, ports: {} });
        return text === undefined ? undefined : this.stderrLines.push(text);
      },
      () => this.stderrLines.end(),
    );
    const served = Object.keys(this.options.ports).filter((name) => !(name in targets));
    await Promise.all(served.map((name) => this.probe(name, process)));
  }

  /** Ready means the port accepts a TCP connection; fails early if the process exits first. */
  private async probe(name: string, process: RunningProcess): Promise<void> {
    const { host, port } = this.address(name);
    const deadline = Date.now() + this.owner.options.readyTimeoutMs;
    let exit: Exit | undefined;
    process.exited.then((exited) => (exit = exited));
    while (!(await this.launched.get().accepts({ kind: "tcp", host, port }))) {
      const failure = () => ({ exitCode: exit && exitCodeOf(exit), stderrTail: this.stderrLines.tail() });
      if (exit)
        throw new ProgramFailedError(
          this.name,
          `${this.describe()} ${describeExit(exit)} before port '${name}' (${host}:${port}) accepted connections`,
          failure(),
        );
      if (Date.now() > deadline)
        throw new ProgramFailedError(
          this.name,
          `${this.describe()}: port '${name}' (${host}:${port}) did not accept connections within ${this.owner.options.readyTimeoutMs} ms`,
          failure(),
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The same command with the same ports: a fixed or picked port is the same number again. */
  protected async relaunch(): Promise<void> {
    await this.start(this.targets.get());
  }

  protected askToStop(process: RunningProcess): void {
    process.signal("SIGTERM");
  }
}
