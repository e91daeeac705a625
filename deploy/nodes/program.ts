import { LineStream } from "../lines.js";
import { emit } from "../events.js";
import { exitCodeOf, type Command, type Host, type LaunchedHost, type RunningProcess, type Exit } from "../host.js";
import { HydroError, TornDownError } from "../errors.js";
import { TIMED_OUT, within } from "../bounded.js";
import { DeployNode } from "./node.js";
import type { NodeOwner } from "./owner.js";
import type { Callsite } from "../callsite.js";

/** How long a killed program's exit may take to be reported (remotely, a round trip or two) before teardown gives up on it. */
const KILLED_EXIT_MS = 5_000;

/** A node that is a process on a host: service() and process() share its output and exit handling. */
export abstract class ProgramNode extends DeployNode {
  protected readonly stdoutLines: LineStream;
  protected readonly stderrLines: LineStream;
  protected running: RunningProcess | undefined;
  private readonly exitPromise: Promise<Exit>;
  private resolveExit!: (exit: Exit) => void;
  private stopping = false;

  constructor(
    owner: NodeOwner,
    name: string,
    readonly host: Host,
    site: Callsite | undefined,
    /** Its own time to exit when asked to stop; by default the deployment's. */
    private readonly stopTimeoutMs?: number,
  ) {
    super(owner, name, site);
    this.stdoutLines = new LineStream(name, "stdout");
    this.stderrLines = new LineStream(name, "stderr");
    this.exitPromise = new Promise((resolve) => (this.resolveExit = resolve));
  }

  describe(): string {
    return `${this.kind} "${this.name}" on ${this.host.name}`;
  }

  protected abstract readonly kind: string;

  /** Lines the program prints from now on; the iteration ends when it exits. */
  stdout(): AsyncIterableIterator<string> {
    return this.stdoutLines.lines();
  }

  stderr(): AsyncIterableIterator<string> {
    return this.stderrLines.lines();
  }

  /** Resolves when the program exits: its exit code, or 128 + the signal number if a signal ended it. */
  async exitCode(): Promise<number> {
    return exitCodeOf(await this.exitPromise);
  }

  /** Starts the program on its host and tracks it: its exit is reported unless the deployer stopped it. */
  protected async launch(host: LaunchedHost, command: Omit<Command, "marker">): Promise<RunningProcess> {
    if (this.stopping) throw new TornDownError(`deployment ${this.owner.id}`, `starting ${this.describe()}`);
    const process = await host.spawn({ ...command, marker: `${this.owner.id}.${this.name}` });
    this.running = process;
    // Teardown began while the program was being started (Ctrl-C during deploy).
    if (this.stopping) process.signal("SIGKILL");
    process.exited.then((exit) => {
      this.resolveExit(exit);
      process.stdin.end();
      if (!this.stopping) emit({ type: "exit", service: this.name, host: this.host.name, code: exit.code, signal: exit.signal });
    });
    return process;
  }

  /** The heartbeat a program on `host` gets: remote hosts only (here, a pipe closes when the deployer dies). */
  protected heartbeatMs(host: LaunchedHost): number {
    return host.local ? 0 : this.owner.options.heartbeatMs;
  }

  /** Pings every heartbeatMs / 3 until the program exits, so it can tell a partition from a quiet deployer. */
  protected keepAlive(process: RunningProcess, heartbeatMs: number, ping: () => void): void {
    if (!heartbeatMs) return;
    const pings = setInterval(ping, heartbeatMs / 3).unref();
    void process.exited.then(() => clearInterval(pings));
  }

  /** How this kind of program is asked to stop gracefully. */
  protected abstract askToStop(process: RunningProcess): void;

  /**
   * Asks, waits up to `timeoutMs` (by default its own stopTimeoutMs, else the deployment's), kills;
   * rejects, naming the program, if even its kill goes unanswered. Also for the script: `await service.stop()`.
   */
  async stop(timeoutMs = this.stopTimeoutMs ?? this.owner.options.stopTimeoutMs): Promise<void> {
    this.stopping = true;
    const process = this.running;
    if (!process) return;
    this.readToTheEnd();
    this.askToStop(process);
    await within(process.exited, timeoutMs);
    // Also sweeps anything the program started in its process group.
    process.signal("SIGKILL");
    if ((await within(process.exited, KILLED_EXIT_MS)) === TIMED_OUT) {
      process.abandon();
      throw new HydroError(
        `${this.describe()}: no exit reported ${KILLED_EXIT_MS} ms after SIGKILL (something it started may hold its output open); gave up on it`,
      );
    }
  }

  kill(): void {
    this.stopping = true;
    this.readToTheEnd();
    this.running?.signal("SIGKILL");
  }

  /** A program counts as exited once its output is read to the end: iterators that stopped reading no longer hold it back. */
  private readToTheEnd(): void {
    this.stdoutLines.stopHoldingBack();
    this.stderrLines.stopHoldingBack();
  }
}
