import crypto from "node:crypto";
import { encodeControl, parseLine, readLines, type DeployerMessage, type ProgramMessage } from "../runtime/protocol.js";
import { ProgramFailedError } from "./errors.js";
import { describeExit, exitCodeOf, type Exit, type RunningProcess } from "./host.js";
import type { LineStream } from "./lines.js";

export const BINDING = "binding its ports";
export const STARTING = "connecting its ports";

/** A new program's control secret (ENV_CONTROL_SECRET): 128 random bits, in characters that need no quoting. */
export function newControlSecret(): string {
  return crypto.randomBytes(16).toString("base64url");
}

/**
 * The deployer's side of the handshake with one program: control lines marked with its secret
 * are taken out of its stdout, everything else goes to the service's line streams verbatim.
 * Waiting for a message fails with an error naming the service and host when the program exits,
 * reports an error, or times out; what it printed is not repeated there (it was printed already).
 */
export class ProgramSession {
  private readonly inbox: ProgramMessage[] = [];
  /** Everyone waiting for a message (a restart's `started` and a fault change's answer may wait at once). */
  private readonly waiting = new Set<() => void>();
  private exit: Exit | undefined;
  private protocolProblem: string | undefined;

  constructor(
    private readonly process: RunningProcess,
    private readonly program: string,
    private readonly who: string,
    private readonly secret: string,
    stdout: LineStream,
    private readonly stderr: LineStream,
    /** Where `metrics` messages go (they come every second, and nobody waits for them). */
    private readonly onMetrics: (message: Extract<ProgramMessage, { type: "metrics" }>) => void,
  ) {
    readLines(
      process.stdout,
      (line) => this.onStdout(line, stdout),
      () => stdout.end(),
    );
    readLines(
      process.stderr,
      (line) => stderr.push(line),
      () => stderr.end(),
    );
    process.exited.then((exit) => {
      this.exit = exit;
      this.nudge();
    });
  }

  private onStdout(line: string, stdout: LineStream): Promise<void> | undefined {
    const parsed = parseLine<ProgramMessage>(line, this.secret);
    const printed = parsed.text ? stdout.push(parsed.text) : undefined;
    if (parsed.kind === "text") return printed;
    if (parsed.kind === "bad-control") this.protocolProblem = parsed.reason;
    else if (parsed.message.type === "metrics") this.onMetrics(parsed.message);
    else this.inbox.push(parsed.message);
    this.nudge();
    return printed;
  }

  /** Drops the messages of `type` that `stale` picks (answers nobody waits for any more). */
  discard<K extends ProgramMessage["type"]>(type: K, stale: (message: Extract<ProgramMessage, { type: K }>) => boolean): void {
    for (let i = this.inbox.length - 1; i >= 0; i--) {
      const message = this.inbox[i]!;
      if (message.type === type && stale(message as Extract<ProgramMessage, { type: K }>)) this.inbox.splice(i, 1);
    }
  }

  /** The program's run has ended (its exit was seen). */
  get ended(): boolean {
    return this.exit !== undefined;
  }

  send(message: DeployerMessage): void {
    this.process.stdin.write(encodeControl(message, this.secret));
  }

  /** The next message of `type` (that `matches`, if given); fails, naming the program, on an error, its exit, or the timeout. */
  async expect<K extends ProgramMessage["type"]>(
    type: K,
    timeoutMs: number,
    phase: string,
    matches: (message: Extract<ProgramMessage, { type: K }>) => boolean = () => true,
  ): Promise<Extract<ProgramMessage, { type: K }>> {
    return (await this.expectUnless(type, timeoutMs, phase, matches, () => false))!;
  }

  /** As expect(), but gives up (undefined) once `giveUp()` holds, checked whenever the session is nudged. */
  async expectUnless<K extends ProgramMessage["type"]>(
    type: K,
    timeoutMs: number,
    phase: string,
    matches: (message: Extract<ProgramMessage, { type: K }>) => boolean,
    giveUp: () => boolean,
  ): Promise<Extract<ProgramMessage, { type: K }> | undefined> {
    const deadline = Date.now() + timeoutMs;
    const hint = phase === BINDING ? " (does it call connect() from hydro-deploy/runtime?)" : "";
    for (;;) {
      const index = this.inbox.findIndex(
        (message) => (message.type === type && matches(message as Extract<ProgramMessage, { type: K }>)) || message.type === "error",
      );
      if (index >= 0) {
        const [message] = this.inbox.splice(index, 1);
        if (message!.type === "error") throw this.failure(`failed while ${phase}: ${message!.message}`);
        return message as Extract<ProgramMessage, { type: K }>;
      }
      if (this.protocolProblem) throw this.failure(this.protocolProblem);
      // Let the last lines a dying program printed be printed before its failure.
      if (this.exit) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        // A crash says why itself; a clean exit before the handshake is the program not taking part.
        throw this.failure(`${describeExit(this.exit)} while ${phase}${this.exit.code === 0 ? hint : ""}`);
      }
      if (giveUp()) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw this.failure(`did not answer within ${timeoutMs} ms while ${phase}${hint}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiting.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiting.add(wake);
      });
    }
  }

  /** Wakes everyone waiting, to look again (a message came, the program exited, or a waiter may give up now). */
  nudge(): void {
    for (const wake of [...this.waiting]) wake();
  }

  private failure(reason: string): ProgramFailedError {
    return new ProgramFailedError(this.program, `${this.who} ${reason}`, {
      exitCode: this.exit && exitCodeOf(this.exit),
      stderrTail: this.stderr.tail(),
    });
  }
}
