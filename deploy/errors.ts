import type { Message } from "esbuild";

/**
 * An error the user caused or can act on. The CLI prints its message alone on one line
 * (the stack only with --verbose), so the message must say what is wrong and where.
 */
export class HydroError extends Error {
  override name = "HydroError";
}

/**
 * The config is wrong: an option, a name, the wiring, a program that does not bundle or does not
 * declare a wired port. Found before anything starts where possible, else at the handshake.
 */
export class ConfigError extends HydroError {
  override name = "ConfigError";
}

/** A host could not be reached or prepared (`host` is its name in the config). */
export class HostError extends HydroError {
  override name = "HostError";

  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
  }
}

/** A host stopped answering after launch (a dead connection, missed keepalives): the deployment tears down. */
export class HostLostError extends HostError {
  override name = "HostLostError";
}

/** What a failed program left to go on: how it ended, if it did, and the last lines it wrote to stderr. */
export interface ProgramFailure {
  /** Its exit code, or 128 + the signal number if a signal ended it; undefined while it still runs (it broke the handshake, timed out). */
  exitCode?: number;
  /** The last lines of its stderr (at most 20), oldest first. */
  stderrTail?: readonly string[];
}

/** A program failed while being deployed: it exited, broke the handshake, or never became ready. */
export class ProgramFailedError extends HydroError {
  override name = "ProgramFailedError";
  readonly exitCode: number | undefined;
  readonly stderrTail: readonly string[];

  constructor(
    readonly program: string,
    message: string,
    failure: ProgramFailure = {},
  ) {
    super(message);
    this.exitCode = failure.exitCode;
    this.stderrTail = failure.stderrTail ?? [];
  }
}

/**
 * Work given up because its deployment is being torn down (teardown(), Ctrl-C, a lost host): the
 * one way every layer says so, so a caller can tell cancellation from failure by class.
 */
export class TornDownError extends HydroError {
  override name = "TornDownError";

  /**
   * `what` is what was given up: `deploy()`, `launching host "db"`, `starting service "echo"`;
   * `why` says what tore it down, when more is known than that it is being torn down.
   */
  constructor(
    readonly deployment: string,
    readonly what: string,
    readonly why = `${deployment} is being torn down`,
  ) {
    super(`${what}: given up, ${why}`);
  }
}

/** A cloud provider refused a call; `code` is the provider's own (VcpuLimitExceeded, QUOTA_EXCEEDED, …). */
export class CloudError extends HydroError {
  override name = "CloudError";

  constructor(
    /** The host kind that made the call, as registered (`aws`, `gcp`, or a plug-in's). */
    readonly provider: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Several problems found in one pass (config validation), each on its own line, as one error of `kind`. */
export function combine(problems: string[], kind: new (message: string) => HydroError = HydroError): HydroError {
  return new kind(problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  ${problems.join("\n  ")}`);
}

/** Problems (one per line) as the end of an error's first line if there is one, else indented on lines of their own. */
export function oneLinePerProblem(problems: string): string {
  return problems.includes("\n") ? `\n  ${problems.replaceAll("\n", "\n  ")}` : problems;
}

/** One of esbuild's errors as `file:line:column: text` (esbuild counts columns from 0, editors from 1). */
export function describeBuildMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column + 1}: ` : "";
  return `${where}${message.text}`;
}
