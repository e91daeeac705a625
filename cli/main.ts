import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { run, EXIT } from "./run.js";
import { offerPrestartedPython, type PrestartedPython } from "./python/spawn.js";
import { graph } from "./graph.js";
import { profileFromCommandLine } from "../deploy/profile/profiling.js";
import { down, DownUsageError, type DownOptions } from "./down.js";
import { ls } from "./ls.js";
import { packageRoot } from "../deploy/paths.js";
import { hostKinds } from "../deploy/host-kind.js";
import { loadPlugins, pluginsIn, PLUGIN_FLAG } from "./plugins.js";

// The published bundle is both the CLI and the config API, so a config's `import "hydro-deploy"`
// and the CLI share one module instance (one registry of live deployments to tear down).
export * from "../deploy/index.js";

/** `hydro …`: the command-line program. */
/** `prestarted`: a Python config's interpreter, started by bin/hydro.js while this CLI loaded. */
/**
 * `--profile` alone means every service; with commander's optional value it would take the config
 * that follows for a program's name, so before the script's own arguments (`--`) it becomes `--profile=*`.
 */
function withBareProfile(argv: string[]): string[] {
  const [run, end] = [argv.indexOf("run"), argv.indexOf("--")];
  return argv.map((arg, i) => (arg === "--profile" && run >= 0 && i > run && (end === -1 || i < end) ? `--profile=${ALL_PROGRAMS}` : arg));
}

const ALL_PROGRAMS = "*";

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    console.error(`error: --ui-port ${value}: expected a TCP port, 1 to 65535`);
    process.exit(EXIT.usage);
  }
  return port;
}

function parseProfileOption(value: string): "all" | string[] {
  if (value === ALL_PROGRAMS) return "all";
  const names = value.split(",");
  if (names.some((name) => !/^[\w.-]+$/.test(name))) {
    console.error(`error: --profile=${value}: expected program or cluster names, comma-separated (e.g. --profile=server,replica)`);
    process.exit(EXIT.usage);
  }
  return names;
}

export async function runCli(argv: string[], prestarted?: PrestartedPython): Promise<void> {
  offerPrestartedPython(prestarted);
  try {
    await loadPlugins(pluginsIn(argv.slice(2)));
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = EXIT.failed;
    return;
  }
  const { version } = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string };
  const program = new Command("hydro")
    .description("Deploy distributed programs to localhost, SSH machines and cloud VMs, and talk to them while they run.")
    .version(version)
    .addHelpText(
      "after",
      `
Exit codes:
  ${EXIT.ok}    the config's main function returned and everything was torn down
  ${EXIT.failed}    the config failed (bad config, a program failed to start, the script threw)
  ${EXIT.usage}    bad command-line usage
  ${EXIT.interrupted}  interrupted by Ctrl-C / SIGTERM / SIGHUP, also during teardown (everything was torn down; a second Ctrl-C kills at once)
  ${EXIT.readerGone}  the reader of hydro's output went away (\`hydro run … | head\`); everything was torn down`,
    )
    // `hydro --plugin m run …` as well as `hydro run --plugin m …`.
    .addOption(pluginOption())
    // Before the subcommands are added: they inherit it, so their usage errors exit 2 too.
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? 0 : EXIT.usage);
    });

  program
    .command("run")
    .description("run a config script: its default export is called with the arguments after --")
    .argument("<config>", "a *.hydro.ts (or .js) config script")
    .argument("[args...]", "arguments for the script (put them after --)")
    .option("--json", "print one JSON event per line instead of the progress display")
    .option("--profile [programs]", "take a CPU profile of every service (--profile=a,b: of the programs and clusters named) into .hydro/profiles/")
    .option("--ui", "serve a live web view of the run on 127.0.0.1 (its URL, with a token, is printed)")
    .option("--ui-port <port>", "the web view's port (default: a free one)", parsePort)
    .option("-v, --verbose", "print full stack traces on failure")
    .addOption(pluginOption())
    .action(async (config: string, args: string[], options: { json?: boolean; verbose?: boolean; profile?: string; ui?: boolean; uiPort?: number }) => {
      if (options.profile !== undefined) profileFromCommandLine(parseProfileOption(options.profile));
      // --ui-port implies --ui.
      await run(config, args, { ...options, ui: options.ui || options.uiPort !== undefined });
    });

  program
    .command("plan")
    .description(
      "run a config up to its first deploy() without launching or starting anything, and print the topology: hosts, programs, edges and their transports",
    )
    .argument("<config>", "a *.hydro.ts (or .js, or .py) config script")
    .argument("[args...]", "arguments for the script (put them after --)")
    .addOption(new Option("--mermaid", "print the topology as a mermaid flowchart").conflicts("json"))
    .option("--json", "print one JSON event per line, the topology as the `plan` event")
    .option("-v, --verbose", "print full stack traces on failure")
    .addOption(pluginOption())
    .action(async (config: string, args: string[], options: { mermaid?: boolean; json?: boolean; verbose?: boolean }) => {
      const { plan } = await import("./plan.js");
      await plan(config, args, options);
    });

  program
    .command("graph")
    .description("print the dataflow graphs a program builds, as mermaid: in-out trees as subgraphs, with their strata")
    .argument("<program>", "a program (.ts, .js or .hf) that builds a dataflow Graph; it is loaded, not run: its ports carry nothing")
    .argument("[args...]", "the program's own arguments (put them after --)")
    .option("-v, --verbose", "print full stack traces on failure")
    .action(async (file: string, args: string[], options: { verbose?: boolean }) => {
      await graph(file, args, options);
    });

  program
    .command("check")
    .description("compile .hf programs and type-check them with TypeScript: each problem at its .hf line and column")
    .argument("<files...>", ".hf programs")
    .action(async (files: string[]) => {
      const { check } = await import("./check.js");
      await check(files);
    });

  // Each host kind with a cleanup (the clouds, a plug-in's) gives down and ls a flag naming where to look: --aws <regions…>.
  const cleanups = hostKinds().flatMap((kind) => (kind.cleanup ? [{ kind: kind.name, scopes: kind.cleanup.scopes }] : []));
  const scopeFlags = (command: Command, purpose: string) => {
    // `--aws <regions...>`: the placeholder is the last word of what a scope is ("AWS regions").
    for (const { kind, scopes } of cleanups) command.addOption(new Option(`--${kind} <${scopes.split(" ").at(-1)}...>`, `${scopes} ${purpose}`));
    return command.addOption(pluginOption());
  };
  // By the option's attribute name: commander camel-cases a kind such as `my-cloud` (myCloud).
  const scopesGiven = (command: Command) =>
    Object.fromEntries(
      cleanups.flatMap(({ kind }) => {
        const given = command.getOptionValue(new Option(`--${kind}`).attributeName()) as string[] | undefined;
        return given ? [[kind, given]] : [];
      }),
    );
  const flagList = cleanups.map(({ kind }) => `--${kind}`).join(" or ");

  const downCommand = program
    .command("down")
    .description(
      "delete the cloud resources deployments left behind (after a crash or kill -9), from .hydro/state; with --all also those found by their hydro-deployment tag",
    )
    .argument("[ids...]", "deployment ids (default: every recorded deployment whose deployer is not running)")
    .option("--all", `also find resources by their hydro-deployment tag or label, with or without a state file (needs ${flagList})`)
    .option("-y, --yes", "delete what --all found without asking");
  scopeFlags(downCommand, "to search with --all").action(async (ids: string[], options: Omit<DownOptions, "scopes">) => {
    try {
      process.exitCode = await down(ids, { ...options, scopes: scopesGiven(downCommand) });
    } catch (error) {
      console.error(`error: ${(error as Error).message}`);
      process.exitCode = error instanceof DownUsageError ? EXIT.usage : EXIT.failed;
    }
  });

  const lsCommand = program
    .command("ls")
    .description(`list the deployments recorded in .hydro/state (and, with ${flagList}, what carries the hydro-deployment tag or label there)`);
  scopeFlags(lsCommand, "to ask").action(async () => {
    try {
      process.exitCode = await ls({ scopes: scopesGiven(lsCommand) });
    } catch (error) {
      console.error(`error: ${(error as Error).message}`);
      process.exitCode = EXIT.failed;
    }
  });

  await program.parseAsync(withBareProfile(argv));
}

/** Accepted where plug-ins matter (run, down, ls); read before parsing (cli/plugins.ts), so its value here is unused. */
function pluginOption(): Option {
  return new Option(`${PLUGIN_FLAG} <module>`, "a module that registers host kinds, loaded first (repeatable)").argParser((module, modules: string[] = []) => [
    ...modules,
    module,
  ]);
}
