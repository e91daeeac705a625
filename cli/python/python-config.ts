import path from "node:path";
import { HydroError } from "../../deploy/errors.js";
import { PythonBridgeError, PythonChannel, type PythonExit } from "./channel.js";
import { BridgeCalls, errorReply, pythonHostKinds } from "./calls.js";
import { BRIDGE_VERSION, type FromPython, type PythonSite } from "./protocol.js";
import { takePython } from "./spawn.js";

/** How long the end of a run waits for Python to exit (and its output to be read) after its last message. */
const OUTPUT_GRACE_MS = 2_000;

/** The classes whose messages already start with the Python file and line of the call. */
const HYDRO_ERRORS = new Set(["HydroError", "ConfigError", "HostError", "HostLostError", "ProgramFailedError", "CloudError"]);

/** A Python config's main() raised: `file:line: Type: message`, its traceback already printed. */
export class PythonScriptError extends HydroError {
  override readonly name = "PythonScriptError";
}

/**
 * A *.hydro.py config as a ConfigMain: starts Python on it (docs/python-bridge.md), answers its
 * calls with the TS API, and settles when its main() returns or raises, or the process dies.
 * Teardown and exit are then the CLI's, as for a .ts config.
 */
/** The config's main, as cli/load-config.ts calls it (not imported from there: that module loads this one). */
export function pythonConfig(file: string): (args: string[]) => Promise<void> {
  return (args) =>
    new Promise<void>((resolve, reject) => {
      const calls = new BridgeCalls();
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (message: FromPython) => {
        if ("hello" in message) {
          const error =
            message.version === BRIDGE_VERSION ? undefined : `this deployer speaks bridge version ${BRIDGE_VERSION}, the hydro package ${message.version}`;
          channel.send({ hello: "hydro-deploy", version: BRIDGE_VERSION, ...(error ? { error } : { hosts: pythonHostKinds() }) });
          if (error) settle(new PythonBridgeError(`${file}: ${error}`));
        } else if ("call" in message) {
          void answer(message.id, message.call, message.args ?? {}, () => calls.run(message.call, message.target, message.args ?? {}, message.site));
        } else if ("done" in message) {
          void afterOutput(() => settle());
        } else if ("failed" in message) {
          const { type, message: text, site } = message.failed;
          void afterOutput(() => settle(new PythonScriptError(HYDRO_ERRORS.has(type) ? text : `${where(site)}${type}: ${text}`)));
        }
      };
      const answer = async (id: number, name: string, args: Record<string, unknown>, call: () => unknown) => {
        try {
          channel.send({ id, ok: (await call()) ?? null });
        } catch (error) {
          channel.send({ id, error: errorReply(name, args, error) });
        }
      };
      // Python exits right after its last message: its last prints come before the teardown's lines.
      let ending = false;
      const afterOutput = async (then: () => void) => {
        ending = true;
        await Promise.race([channel.exited, new Promise((resolve) => setTimeout(resolve, OUTPUT_GRACE_MS))]);
        then();
      };
      const channel = new PythonChannel(takePython(path.resolve(file), args), onMessage, (reason) => settle(new PythonBridgeError(`${file}: ${reason}`)));
      void channel.exited.then((exit) => ending || settle(new PythonBridgeError(`${file}: python ${describeExit(exit)} before main() finished`)));
    });
}

function where(site: PythonSite | undefined): string {
  return site ? `${path.relative(process.cwd(), site.file) || site.file}:${site.line}: ` : "";
}

function describeExit({ code, signal }: PythonExit): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}
