import { PassThrough } from "node:stream";
import type { ClientChannel } from "ssh2";
import type { Exit, RunningProcess } from "../host.js";
import { HydroError } from "../errors.js";
import type { SessionPool } from "./connection.js";

const PID_LINE = /^HYDRO_PID=(\d+)$/;

/**
 * Runs a command line over SSH as a RunningProcess. The login shell first prints its pid, then
 * becomes the program (`exec`): that pid leads the session's process group, which is what gets
 * signalled, since sshd ignores signal requests for root logins without privilege separation
 * (docs/ARCHITECTURE.md §8). Resolves once the pid is known, so a signal is never lost. `contained`
 * reaches what left the group (deploy/containment.ts): its `kill` runs with every SIGKILL, its
 * `freeze` with SIGSTOP (and thawing before SIGCONT).
 */
export async function spawnRemote(pool: SessionPool, commandLine: string, label: string, contained: Contained): Promise<RunningProcess> {
  const session = await pool.exec(`echo HYDRO_PID=$$; ${commandLine}`);
  const { channel } = session;
  const stdout = new PassThrough();
  const pid = await readPid(channel, session.exited, stdout, label);
  // Like a local child's "close": the exit is reported once its output has been read to the end,
  // so whoever reads it never learns of the exit before the last lines (a `started` line, say).
  const exited = Promise.all([session.exited, closed(stdout), closed(channel.stderr)]).then(([exit]) => exit);
  let signalling: Promise<unknown> = Promise.resolve();
  return {
    stdin: channel,
    stdout,
    stderr: channel.stderr,
    exited,
    abandon: () => channel.destroy(),
    signal(signal) {
      const name = signal.replace(/^SIG/, "");
      const group = `kill -s ${name} -- -${pid} 2>/dev/null || kill -s ${name} ${pid} 2>/dev/null`;
      const script =
        signal === "SIGKILL"
          ? `${group}\n${contained.kill}`
          : signal === "SIGSTOP"
            ? `${group}\n${contained.freeze(true)}`
            : signal === "SIGCONT"
              ? `${contained.freeze(false)}\n${group}`
              : group;
      // In order: a resume's thaw must not overtake the pause's freeze. A SIGKILL waits for nothing.
      if (signal === "SIGKILL") pool.run(script).catch(() => {});
      else signalling = signalling.then(() => pool.run(script)).catch(() => {});
    },
  };
}

/** Shell scripts that reach everything a program started, wherever it went (deploy/ssh/remote-containment.ts). */
export interface Contained {
  kill: string;
  freeze(frozen: boolean): string;
}

/** Takes the pid line out of the channel's output; anything a shell start-up file printed before it is passed on. */
function readPid(channel: ClientChannel, exited: Promise<Exit>, stdout: PassThrough, label: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let head = "";
    let pid: number | undefined;
    channel.on("data", (chunk: Buffer) => {
      if (pid !== undefined) return void stdout.write(chunk);
      head += chunk.toString("latin1");
      let newline: number;
      while (pid === undefined && (newline = head.indexOf("\n")) >= 0) {
        const line = head.slice(0, newline);
        head = head.slice(newline + 1);
        const match = PID_LINE.exec(line);
        if (match) {
          pid = Number(match[1]);
          if (head) stdout.write(Buffer.from(head, "latin1"));
          resolve(pid);
        } else stdout.write(Buffer.from(`${line}\n`, "latin1"));
      }
    });
    channel.on("end", () => stdout.end());
    void exited.then(() => pid === undefined && reject(new HydroError(`${label}: the command ended before it started`)));
  });
}

function closed(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => stream.once("close", () => resolve()));
}
