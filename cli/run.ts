import { addReporter, emit, interrupted, type Reporter } from "../deploy/events.js";
import { jsonReporter } from "../deploy/report/json.js";
import { plainReporter } from "../deploy/report/plain.js";
import { killAll, onFatal, teardownAll } from "../deploy/registry.js";
import { HydroError } from "../deploy/errors.js";
import { writtenOut } from "../runtime/written-out.js";
import { unmatchedProfileNames } from "../deploy/profile/profiling.js";
import { loadConfig } from "./load-config.js";
import { consoleAsEvents } from "./console-as-events.js";
import { thrownAt } from "./thrown-at.js";

export interface RunOptions {
  json?: boolean;
  verbose?: boolean;
  /** Serve the web view (cli/ui/), on `uiPort` (by default a free one). */
  ui?: boolean;
  uiPort?: number;
}

/** `hydro plan` (cli/plan.ts): the run ends once the first deploy() has planned, and fails if the config returns before one. */
export interface PlanEnding {
  readonly planned: Promise<void>;
  unreached(): Error;
}

/** `readerGone`: whoever read hydro's output closed it (`hydro run … | head`), as a shell reports SIGPIPE. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, readerGone: 141 } as const;
type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** When several things end a run, the exit code names the weightiest: an interruption, then a reader gone, then a failure. */
const precedence: ExitCode[] = [EXIT.ok, EXIT.failed, EXIT.readerGone, EXIT.interrupted];

/**
 * `hydro run`: loads the config, calls its default export with the args, and always tears
 * down what it deployed: when it returns, when it throws, and on Ctrl-C (a second one kills).
 * It exits once its own output has been written out.
 */
export async function run(config: string, args: string[], options: RunOptions, plan?: PlanEnding): Promise<never> {
  addReporter(await chooseReporter(options));
  if (options.json) consoleAsEvents();
  let ui: { close(): Promise<void> } | undefined;
  let code: ExitCode = EXIT.ok;
  let finishing: Promise<never> | undefined;
  const finish = (outcome: ExitCode): Promise<never> => {
    if (precedence.indexOf(outcome) > precedence.indexOf(code)) code = outcome;
    return (finishing ??= (async () => {
      await teardownAll();
      const unmatched = unmatchedProfileNames();
      if (unmatched.length)
        emit({ type: "log", level: "warn", message: `--profile: no program or cluster was named ${unmatched.join(", ")}: nothing of that name was profiled` });
      await ui?.close();
      await writtenOut();
      process.exit(code);
    })());
  };

  const interrupt = (signal: NodeJS.Signals) => {
    if (code === EXIT.interrupted) {
      killAll();
      process.exit(EXIT.interrupted);
    }
    const name = signal === "SIGINT" ? "Ctrl-C" : signal;
    interrupted(`interrupted by ${name}`);
    process.stderr.write(`\n${name}: stopping everything (Ctrl-C again to kill at once)\n`);
    void finish(EXIT.interrupted);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, interrupt);
  // The reader of hydro's output went away: nobody is left to tell, so tear down without a word.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => void finish(EXIT.readerGone));
  const fail = (error: unknown) => {
    if (finishing && code !== EXIT.ok) return;
    emit({ type: "error", message: describeError(error, options.verbose ?? false) });
    void finish(EXIT.failed);
  };
  process.on("unhandledRejection", fail);
  // A throw in one of the script's callbacks (a timer, an event handler) fails the run like any other.
  process.on("uncaughtException", fail);
  onFatal(fail);

  try {
    if (options.ui) ui = await startUi(options.uiPort);
    const main = await loadConfig(config);
    const ran = Promise.resolve(main(args)).then(() => {
      if (plan) throw plan.unreached();
    });
    await (plan ? Promise.race([ran, plan.planned]) : ran);
  } catch (error) {
    fail(error);
  }
  return finish(EXIT.ok);
}

/** The web view: its state fed by every event from now on; its URL, with the token, told on stderr. */
async function startUi(port: number | undefined): Promise<{ close(): Promise<void> }> {
  const [{ UiState }, { startUiServer }] = await Promise.all([import("./ui/state.js"), import("./ui/server.js")]);
  const state = new UiState();
  addReporter(state.onEvent);
  const server = await startUiServer(state, port).catch((error: Error) => {
    throw new HydroError(`--ui: cannot serve the web view on 127.0.0.1${port ? `:${port}` : ""}: ${error.message}`);
  });
  process.stderr.write(`web view: ${server.url}\n`);
  return server;
}

async function chooseReporter(options: RunOptions): Promise<Reporter> {
  if (options.json) return jsonReporter();
  if (!process.stderr.isTTY) return plainReporter();
  // Terminal rendering costs start-up time, so only a terminal loads it.
  const { liveReporter } = await import("../deploy/report/live.js");
  return liveReporter();
}

/** What went wrong, in one line (several for a list of problems); the stack only with --verbose. */
export function describeError(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (verbose) return error.stack ?? error.message;
  if (error instanceof HydroError) return error.message;
  // An error from the script itself: its message and, on the same line, where it was thrown.
  const where = thrownAt(error);
  return where ? `${error.message} (at ${where})` : error.message;
}
