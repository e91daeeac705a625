import type { Readable, Writable } from "node:stream";
import { HydroError } from "../../deploy/errors.js";
import { pythonCommand, type PythonProcess } from "./spawn.js";
import { MAX_MESSAGE_BYTES, type FromPython, type ToPython } from "./protocol.js";

/** How the Python process ended: a code, or the signal that killed it. */
export type PythonExit = { code: number | null; signal: NodeJS.Signals | null };

/**
 * The deployer's end of a Python process started by spawnPython: the two bridge pipes (fd 3: to
 * Python, fd 4: from Python), one JSON message per line; its stdout and stderr lines go where a .ts
 * config's console output goes.
 */
export class PythonChannel {
  private readonly toPython: Writable;
  readonly exited: Promise<PythonExit>;

  constructor(python: PythonProcess, onMessage: (message: FromPython) => void, onBroken: (reason: string) => void) {
    const { child } = python;
    this.exited = new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
    const command = pythonCommand();
    void python.spawnError.then((error) =>
      onBroken(
        error.code === "ENOENT"
          ? `cannot start ${command}: not found (install python3 ≥ 3.9, or set HYDRO_PYTHON)`
          : `cannot start ${command}: ${error.message}`,
      ),
    );
    this.toPython = child.stdio[3] as Writable;
    this.toPython.on("error", () => {});
    forwardLines(child.stdout!, (line) => console.log(line));
    forwardLines(child.stderr!, (line) => console.error(line));
    readMessages(child.stdio[4] as Readable, onMessage, onBroken);
  }

  send(message: ToPython): void {
    if (!this.toPython.destroyed) this.toPython.write(JSON.stringify(message) + "\n");
  }
}

function forwardLines(stream: Readable, line: (text: string) => void): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    for (const text of lines) line(text);
  });
  stream.on("end", () => rest && line(rest));
}

function readMessages(stream: Readable, onMessage: (message: FromPython) => void, onBroken: (reason: string) => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Once the bridge is broken nothing more from it is obeyed.
  const broken = (reason: string) => {
    stream.destroy();
    onBroken(reason);
  };
  stream.on("data", (chunk: Buffer) => {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      const line = Buffer.concat([...pending, chunk.subarray(start, newline)]).toString("utf8");
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        return broken(`the Python side sent a line that is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
      }
      if (typeof message !== "object" || message === null || Array.isArray(message))
        return broken(`the Python side sent a message that is not a JSON object: ${JSON.stringify(line.slice(0, 80))}`);
      onMessage(message as FromPython);
    }
    pending.push(chunk.subarray(start));
    pendingBytes += chunk.length - start;
    if (pendingBytes > MAX_MESSAGE_BYTES) broken(`the Python side sent a message longer than ${MAX_MESSAGE_BYTES} bytes`);
  });
}

export class PythonBridgeError extends HydroError {
  override readonly name = "PythonBridgeError";
}
