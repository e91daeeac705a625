import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { packageRoot } from "../../deploy/paths.js";
import { pythonInterpreter } from "./interpreter.js";

/**
 * Starts `python3 -m hydro._run script args…` (the interpreter as ./interpreter.ts finds it) (docs/python-bridge.md): the package's python/ first
 * on PYTHONPATH, unbuffered, stdout and stderr piped, the bridge on fds 3 (to Python) and 4 (from
 * Python). A Python process still running when the deployer exits (a blocking call) goes with it.
 */
export function spawnPython(script: string, args: readonly string[]): PythonProcess {
  const python = pythonInterpreter();
  const pythonPath = [path.join(packageRoot, "python"), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  const child = spawn(python.command, ["-m", "hydro._run", script, ...args], {
    stdio: ["inherit", "pipe", "pipe", "pipe", "pipe"],
    env: { ...process.env, ...python.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: "1", HYDRO_BRIDGE: "3,4" },
  });
  const killOnExit = () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL");
  process.on("exit", killOnExit);
  child.once("close", () => process.off("exit", killOnExit));
  // Kept, not thrown: whoever takes the child reports it, also if it happened before they looked.
  const spawnError = new Promise<NodeJS.ErrnoException>((resolve) => child.once("error", resolve));
  return { child, spawnError };
}

/** A started interpreter, and the error of starting it (no such program), should there be one. */
export interface PythonProcess {
  child: ChildProcess;
  spawnError: Promise<NodeJS.ErrnoException>;
}

/** The interpreter as the user names it, for messages. */
export const pythonCommand = () => process.env.HYDRO_PYTHON || "python3";

/** A Python config's interpreter, started by bin/hydro.js before the CLI itself was loaded. */
export interface PrestartedPython {
  script: string;
  args: string[];
  python: PythonProcess;
}

const RUN_FLAGS = new Set(["--json", "-v", "--verbose"]);

/**
 * For `hydro run [--json] [-v] <x.py> [-- args…]`, starts Python now: the interpreter and its
 * imports (~0.1 s) overlap the loading of the CLI (~0.1 s). Any other command line starts nothing;
 * the CLI still checks that what it parsed is what was started.
 */
export function prestartPython(argv: readonly string[]): PrestartedPython | undefined {
  if (argv[2] !== "run") return undefined;
  let i = 3;
  while (RUN_FLAGS.has(argv[i] ?? "")) i++;
  const script = argv[i];
  if (!script?.endsWith(".py")) return undefined;
  const rest = argv.slice(i + 1);
  if (rest.length > 0 && rest[0] !== "--") return undefined;
  const args = rest.slice(1);
  const resolved = path.resolve(script);
  return { script: resolved, args, python: spawnPython(resolved, args) };
}

let prestarted: PrestartedPython | undefined;

/** bin/hydro.js started Python before the CLI was loaded (spawn.ts prestartPython). */
export function offerPrestartedPython(python: PrestartedPython | undefined): void {
  prestarted = python;
}

/** The prestarted interpreter if it runs this script with these args; otherwise a new one (and the other ended). */
export function takePython(script: string, args: readonly string[]): PythonProcess {
  const offered = prestarted;
  prestarted = undefined;
  if (offered && offered.script === script && offered.args.length === args.length && offered.args.every((arg, i) => arg === args[i])) return offered.python;
  offered?.python.child.kill("SIGKILL");
  return spawnPython(script, args);
}
