import { Console } from "node:console";
import { Writable } from "node:stream";
import { emit, type DeployEvent } from "../deploy/events.js";

type Level = Extract<DeployEvent, { type: "log" }>["level"];

/** A stream whose every write becomes a `log` event of `level`. */
function logEvents(level: Level): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      emit({ type: "log", level, message: chunk.toString().replace(/\n$/, "") });
      done();
    },
  });
}

/**
 * With --json, stdout carries only JSON: what the config script prints becomes `log` events
 * (console.log/info/debug and its own process.stdout.write: info, console.warn: warn,
 * console.error/trace: error). hydro's reporters write past the replaced write (report/write.ts).
 */
export function consoleAsEvents(): void {
  const info = logEvents("info");
  const console = new Console({ stdout: info, stderr: logEvents("error") });
  console.warn = new Console({ stdout: logEvents("warn"), stderr: logEvents("warn") }).warn;
  globalThis.console = console;
  process.stdout.write = info.write.bind(info) as typeof process.stdout.write;
}
