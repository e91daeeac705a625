import type { Address, Target } from "../../runtime/protocol.js";
import { ENV_CONTROL_SECRET, ENV_HEARTBEAT, ENV_SERVICE } from "../../runtime/protocol.js";
import { ENV_CLUSTER, ENV_HOST_ADDRESS } from "../../runtime/self.js";
import { bundle, type Bundle } from "../bundle.js";
import { ProgramSession, BINDING, STARTING, newControlSecret } from "../handshake.js";
import type { LaunchedHost } from "../host.js";
import type { ServiceOptions } from "../options.js";
import { ConfigError, oneLinePerProblem } from "../errors.js";
import { emit, step } from "../events.js";
import { isProfiled } from "../profile/profiling.js";
import { collectProfile, profilesDir } from "../profile/collect.js";
import { ProgramNode } from "./program.js";
import { FromPhase } from "./phase.js";
import { sendersOf } from "../ports.js";
import type { BindResult, FaultReport } from "./node.js";
import type { EdgeRule } from "../../runtime/faults/edge-fault.js";
import type { NodeOwner } from "./owner.js";
import type { Callsite } from "../callsite.js";

/** A TypeScript/JavaScript program that imports hydro-deploy/runtime, bundled and run with node. */
export class Service extends ProgramNode {
  readonly wireKind = "framed";
  readonly kind = "service";
  private readonly bundled = new FromPhase<Bundle>("the bundle", "prepare");
  private readonly session = new FromPhase<ProgramSession>("the handshake session", "bind");
  /** What a restart gives the new run: the host, the addresses the first run bound (its real TCP ports), its receivers. */
  private readonly launched = new FromPhase<LaunchedHost>("the service's host", "bind");
  private readonly boundAt = new FromPhase<Record<string, Address>>("the addresses it bound", "bind");
  private readonly targets = new FromPhase<Record<string, Target[]>>("its receivers", "start");
  private installedPath: string | undefined;
  /** The faults on its sending edges (deploy/faults/): each start carries them, so a restarted run has them from its first message. */
  private faultRules: EdgeRule[] = [];
  private faultsAsked = 0;
  /** The session `start` was sent on: only a started run takes `faults` messages (one not started yet gets them with its start). */
  private startedSession: ProgramSession | undefined;
  /** Profiles being brought back from the host (one per profiled run that exited). */
  private readonly collecting = new Set<Promise<void>>();

  constructor(
    owner: NodeOwner,
    private readonly options: ServiceOptions,
    site: Callsite | undefined,
  ) {
    super(owner, options.name, options.on, site);
  }

  /** Bundles its program (esbuild, cached by content). */
  async prepare(): Promise<{ detail: string }> {
    try {
      const bundled = this.bundled.set(await bundle(this.options.src, "program"));
      return { detail: bundled.cached ? "cached" : "built" };
    } catch (error) {
      throw new ConfigError(`${this.describe()}: cannot bundle ${this.options.src}: ${oneLinePerProblem((error as Error).message)}`);
    }
  }

  async bind(host: LaunchedHost, plan: Record<string, Address>): Promise<BindResult> {
    this.launched.set(host);
    const install = () => host.install(this.bundled.get());
    const path = (this.installedPath ??= (
      host.local
        ? await install()
        : await step([...this.owner.stepsUnder, "deploy", "bind", this.name, `upload to ${host.name}`], install, ({ uploaded }) =>
            uploaded ? { detail: "uploaded" } : { skipped: true, detail: "already there" },
          )
    ).path);
    const heartbeatMs = this.heartbeatMs(host);
    const secret = newControlSecret();
    const run = this.run;
    const profile = this.profilePath(host);
    const process = await this.launch(host, {
      // node writes the profile as the program exits (not when a signal kills it).
      argv: [host.node, ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${profile.name}`] : []), path, ...this.options.args],
      env: {
        ...this.options.env,
        [ENV_SERVICE]: this.name,
        [ENV_HOST_ADDRESS]: host.networkAddress,
        [ENV_CONTROL_SECRET]: secret,
        ...(heartbeatMs ? { [ENV_HEARTBEAT]: String(heartbeatMs) } : {}),
      },
    });
    if (profile) this.collecting.add(process.exited.then(() => this.collect(host, `${profile.dir}/${profile.name}`, run)));
    const session = this.session.set(
      new ProgramSession(process, this.name, this.describe(), secret, this.stdoutLines, this.stderrLines, ({ cpu, rss, ports }) =>
        // The session's run: a line read late, after a restart began, is still the old run's.
        this.measured({ run, cpu, rss, ports }),
      ),
    );
    session.send({ type: "bind", service: this.name, ports: plan, senders: sendersOf(this, this.owner.edges) });
    this.keepAlive(process, heartbeatMs, () => session.send({ type: "ping" }));
    const ready = await session.expect("ready", this.owner.options.readyTimeoutMs, BINDING);
    // A TCP port asked as port 0 is bound again at the port this run got: its senders know that one.
    this.boundAt.set(Object.fromEntries(Object.entries(plan).map(([port, address]) => [port, ready.bound[port] ?? address])));
    return { bound: ready.bound, declared: ready.declared };
  }

  async start(targets: Record<string, Target[]>): Promise<void> {
    this.targets.set(targets);
    const session = this.session.get();
    session.send({
      type: "start",
      ports: targets,
      connectTimeoutMs: this.owner.options.readyTimeoutMs,
      ...(this.faultRules.length ? { faults: this.faultRules } : {}),
      ...(this.owner.options.metricsIntervalMs ? { metricsMs: this.owner.options.metricsIntervalMs } : {}),
    });
    this.startedSession = session;
    await session.expect("started", this.owner.options.readyTimeoutMs, STARTING);
  }

  async applyFaults(rules: EdgeRule[]): Promise<FaultReport | undefined> {
    this.faultRules = rules;
    const session = this.session.current;
    if (!session || session !== this.startedSession || session.ended || this.ending) return undefined;
    const id = ++this.faultsAsked;
    const run = this.run;
    session.discard("faults", (answer) => answer.id < id);
    session.send({ type: "faults", id, rules });
    try {
      // A frozen run reads them when it is resumed: not waited for (nor is one that is being ended).
      const answer = await session.expectUnless(
        "faults",
        this.owner.options.readyTimeoutMs,
        "applying network faults",
        (answer) => answer.id === id,
        () => this.paused || this.ending,
      );
      return answer && { run, counts: answer.counts };
    } catch (error) {
      // A run that ended meanwhile (killed, crashed, stopped) gets them when it is restarted.
      if (session.ended || this.ending) return undefined;
      throw error;
    }
  }

  protected override justPaused(): void {
    this.session.current?.nudge();
  }

  /** Where this run's profile is to be written on `host`, if it is profiled (deploy/profile/). */
  private profilePath(host: LaunchedHost): { dir: string; name: string } | undefined {
    if (!isProfiled(this.name, this.options.env[ENV_CLUSTER], this.options.profile)) return undefined;
    if (!host.workPath || !host.download) {
      if (this.run === 1)
        emit({ type: "log", level: "warn", message: `${this.describe()}: not profiled: its host's kind cannot bring files back (LaunchedHost.download)` });
      return undefined;
    }
    return { dir: host.workPath(`profile-${this.name}`), name: "profile.cpuprofile" };
  }

  private async collect(host: LaunchedHost, remote: string, run: number): Promise<void> {
    try {
      await collectProfile(host, remote, this.name, run, profilesDir(this.owner.id), this.bundled.get().path);
    } catch (error) {
      emit({ type: "log", level: "warn", message: `profile of ${this.name}: ${(error as Error).message}` });
    }
  }

  /** Stops it, then waits for its profiles to be brought back: its host is released only after. */
  override async stop(timeoutMs?: number): Promise<void> {
    try {
      await super.stop(timeoutMs);
    } finally {
      await Promise.all(this.collecting);
    }
  }

  protected async relaunch(): Promise<void> {
    await this.bind(this.launched.get(), this.boundAt.get());
    await this.start(this.targets.get());
  }

  protected askToStop(): void {
    this.session.current?.send({ type: "stop" });
  }
}
