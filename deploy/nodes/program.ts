import { LineStream } from "../lines.js";
import { emit, type ProgramAction } from "../events.js";
import { exitCodeOf, PROGRAM_SIGNALS, type Command, type Host, type LaunchedHost, type ProgramSignal, type RunningProcess, type Exit } from "../host.js";
import { ConfigError, HydroError, TornDownError } from "../errors.js";
import { callsite, formatCallsite, type Callsite } from "../callsite.js";
import { TIMED_OUT, within } from "../bounded.js";
import { DeployNode } from "./node.js";
import type { NodeOwner } from "./owner.js";
import type { MetricSample } from "../metrics/sample.js";

/** How long a killed program's exit may take to be reported (remotely, a round trip or two) before teardown gives up on it. */
const KILLED_EXIT_MS = 5_000;

/** One run of the program: the first starts at deploy(), each restart() starts the next. */
class Incarnation {
  process: RunningProcess | undefined;
  /** The deployer ends this run itself (stop(), teardown, a restart): its exit is no news to report. */
  stopping = false;
  /** Frozen by pause(). */
  paused = false;
  readonly exited: Promise<Exit>;
  resolveExit!: (exit: Exit) => void;

  constructor(readonly number: number) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }
}

/**
 * A node that is a process on a host: service() and process() share its output, its exit, and
 * its lifecycle while the deployment runs: kill() (a crash), restart() (the same program again,
 * with the same port addresses and credentials), stop().
 */
export abstract class ProgramNode extends DeployNode {
  protected readonly stdoutLines: LineStream;
  protected readonly stderrLines: LineStream;
  private incarnation = new Incarnation(1);
  /** stop() or teardown: no run starts after this. */
  private stopped = false;
  private restarting: Promise<void> | undefined;
  private latestMetrics: MetricSample | undefined;

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
  }

  describe(): string {
    return `${this.kind} "${this.name}" on ${this.host.name}`;
  }

  /** The run started last, while it has not exited. */
  protected get running(): RunningProcess | undefined {
    return this.incarnation.process;
  }

  /** Lines the program prints from now on; the iteration ends when the run going on now exits (a restart's lines need a new call). */
  stdout(): AsyncIterableIterator<string> {
    return this.stdoutLines.lines();
  }

  stderr(): AsyncIterableIterator<string> {
    return this.stderrLines.lines();
  }

  /**
   * Resolves when the run going on now (or, between a kill and a restart, the last one) exits: its
   * exit code, or 128 + the signal number if a signal ended it. After restart(), a new call waits
   * for the new run.
   */
  async exitCode(): Promise<number> {
    return exitCodeOf(await this.incarnation.exited);
  }

  /** The number of the run going on now: 1, then one more per restart. */
  protected get run(): number {
    return this.incarnation.number;
  }

  /** The run going on now is frozen by pause(). */
  protected get paused(): boolean {
    return this.incarnation.paused;
  }

  /** The run going on now is being ended by the deployer (stop(), teardown, a restart). */
  protected get ending(): boolean {
    return this.stopped || this.incarnation.stopping;
  }

  /** Its latest metrics sample (deploy/metrics/), of the run going on now or the last one; undefined before the first (a second after start) or with `metricsIntervalMs: 0`. */
  metrics(): MetricSample | undefined {
    return this.latestMetrics;
  }

  /** What run `run` measured of itself. */
  protected measured(measures: Omit<MetricSample, "program" | "at">): void {
    const sample = { program: this.name, at: Date.now(), ...measures };
    if (sample.run >= (this.latestMetrics?.run ?? 0)) this.latestMetrics = sample;
    this.owner.metric(sample);
  }

  /** How many times restart() has started it again. */
  get restarts(): number {
    return this.incarnation.number - 1;
  }

  /** Starts the program on its host and tracks it: its exit is reported unless the deployer stopped it. */
  protected async launch(host: LaunchedHost, command: Omit<Command, "marker">): Promise<RunningProcess> {
    const incarnation = this.incarnation;
    if (this.stopped) throw new TornDownError(this.owner.name, `starting ${this.describe()}`);
    // Each run its own marker (and cgroup): killing what is left of one run must not reach the next. '+' is in no name.
    const marker = `${this.owner.id}.${this.name}${incarnation.number > 1 ? `+${incarnation.number}` : ""}`;
    const process = await host.spawn({ ...command, marker });
    incarnation.process = process;
    // Teardown began while the program was being started (Ctrl-C during deploy).
    if (this.stopped) process.signal("SIGKILL");
    process.exited.then((exit) => {
      incarnation.resolveExit(exit);
      process.stdin.end();
      if (!incarnation.stopping) emit({ type: "exit", service: this.name, host: this.host.name, code: exit.code, signal: exit.signal });
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

  /** Starts a new run with what the first one was given at bind and start: the same addresses, targets and credentials. */
  protected abstract relaunch(): Promise<void>;

  /**
   * Asks, waits up to `timeoutMs` (by default its own stopTimeoutMs, else the deployment's), kills;
   * rejects, naming the program, if even its kill goes unanswered. Also for the script: `await
   * service.stop()`, after which it cannot be restarted.
   */
  async stop(timeoutMs = this.ownStopTimeoutMs): Promise<void> {
    // The script's stop() while the rest runs is news (an event); teardown's stops are not.
    if (!this.stopped && this.owner.phase === "running") this.report("stop");
    this.stopped = true;
    await this.stopRun(this.incarnation, timeoutMs);
  }

  private async stopRun(incarnation: Incarnation, timeoutMs: number): Promise<void> {
    incarnation.stopping = true;
    const process = incarnation.process;
    if (!process) return;
    // A frozen program can neither read a stop request nor act on a SIGTERM.
    if (incarnation.paused) process.signal("SIGCONT");
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

  /**
   * Sends `signal` to the program and everything it started, as a crash would end it: with SIGKILL
   * (the default) no onStop runs. The rest of the deployment runs on; its exit is reported.
   */
  kill(signal: ProgramSignal = "SIGKILL"): void {
    const site = callsite();
    if (!(PROGRAM_SIGNALS as readonly string[]).includes(signal))
      throw new ConfigError(`${formatCallsite(site)}: kill(): signal: expected one of ${PROGRAM_SIGNALS.join(", ")}, got ${JSON.stringify(signal)}`);
    const process = this.whileRunning(site, "kill()");
    this.report("kill", signal);
    process?.signal(signal);
  }

  /**
   * Freezes the program and everything in its process group (SIGSTOP): it runs no code and answers
   * nothing, while its connections stay open and what is sent to it waits (up to its ports'
   * buffers). On a remote host it is not taken for a partition when resumed. Pausing a paused
   * program does nothing.
   */
  pause(): void {
    const process = this.whileRunning(callsite(), "pause()");
    if (!process || this.incarnation.paused) return;
    this.incarnation.paused = true;
    this.report("pause");
    process.signal("SIGSTOP");
    this.justPaused();
  }

  /** The run going on now was just paused: whoever waits for its answer should stop waiting. */
  protected justPaused(): void {}

  /** Lets a paused program run on (SIGCONT); resuming a program that is not paused does nothing. */
  resume(): void {
    const process = this.whileRunning(callsite(), "resume()");
    if (!process || !this.incarnation.paused) return;
    this.incarnation.paused = false;
    process.signal("SIGCONT");
    this.report("resume");
  }

  /**
   * Starts the program again on the same host, with the same port addresses and credentials: its
   * senders reconnect to it, its own ports reconnect to their receivers. A run still going is
   * stopped first (asked, then killed after stopTimeoutMs). Resolves once the new run is started,
   * as deploy() does; concurrent calls share one restart.
   */
  restart(): Promise<void> {
    const site = callsite();
    this.whileRunning(site, "restart()");
    this.restarting ??= this.startNextRun().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  private async startNextRun(): Promise<void> {
    const previous = this.incarnation;
    await this.stopRun(previous, this.ownStopTimeoutMs);
    if (this.stopped) throw new TornDownError(this.owner.name, `restarting ${this.describe()}`);
    this.incarnation = new Incarnation(previous.number + 1);
    this.stdoutLines.reopen();
    this.stderrLines.reopen();
    this.report("restart");
    try {
      await this.relaunch();
    } catch (error) {
      // A run that did not start fully is ended, so that nothing half-started is left.
      await this.stopRun(this.incarnation, 0).catch(() => {});
      throw error;
    }
  }

  /** Its own time to exit when asked to stop, else the deployment's. */
  private get ownStopTimeoutMs(): number {
    return this.stopTimeoutMs ?? this.owner.options.stopTimeoutMs;
  }

  /** The script acted on the run going on now: a `program` event. */
  private report(action: ProgramAction, signal?: ProgramSignal): void {
    emit({ type: "program", service: this.name, host: this.host.name, action, run: this.incarnation.number, ...(signal ? { signal } : {}) });
  }

  /** The running deployment's current process (undefined between a kill and a restart); anything else is refused in one line. */
  private whileRunning(site: Callsite | undefined, what: string): RunningProcess | undefined {
    const phase = this.owner.phase;
    if (phase === "torn down" || this.stopped)
      throw new TornDownError(this.owner.name, `${formatCallsite(site)}: ${what} of ${this.describe()}`, "it is stopped");
    if (phase !== "running") throw new HydroError(`${formatCallsite(site)}: ${what}: ${this.describe()} is not running yet (after deploy() only)`);
    return this.incarnation.process;
  }

  /** At once, without waiting (a second Ctrl-C). */
  killAtOnce(): void {
    this.stopped = true;
    this.incarnation.stopping = true;
    this.readToTheEnd();
    this.running?.signal("SIGKILL");
  }

  /** A program counts as exited once its output is read to the end: iterators that stopped reading no longer hold it back. */
  private readToTheEnd(): void {
    this.stdoutLines.stopHoldingBack();
    this.stderrLines.stopHoldingBack();
  }
}
