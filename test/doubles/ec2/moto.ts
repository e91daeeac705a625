// moto_server (python3's moto 5.2.1, the EC2 emulator the ecosystem uses) on 127.0.0.1 for a test.
// It never outlives the test process: it exits when its stdin closes (moto/moto_server.py), and its process
// group is killed by stop(), on exit and on SIGINT/SIGTERM/SIGHUP. README §moto.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "../free-port.js";
import { killGroupOnExit, forgetGroup } from "../kill-on-exit.js";

export interface Moto {
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  /** moto_server's process id (the leader of its own process group). */
  readonly pid: number;
  stop(): Promise<void>;
}

const MOTO_SERVER = fileURLToPath(new URL("./moto/moto_server.py", import.meta.url));
const READY_TIMEOUT_MS = 60_000;

/** Why moto cannot run here, or false when it can. */
export function motoMissing(): string | false {
  try {
    execFileSync("python3", ["-c", "import moto.server, boto3"], { stdio: "ignore", timeout: 60_000 });
    return false;
  } catch {
    return "python3 with moto and boto3 is not installed (pip install 'moto[server]' boto3)";
  }
}

export async function startMoto(env: Readonly<Record<string, string>> = {}): Promise<Moto> {
  const port = await freePort();
  const child = spawn("python3", [MOTO_SERVER, "-H", "127.0.0.1", "-p", String(port)], {
    detached: true,
    stdio: ["pipe", "ignore", "pipe"],
    env: { ...process.env, ...env },
  });
  killGroupOnExit(child.pid!);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(child);
  try {
    await untilAnswering(url, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid!, stop };
}

async function untilAnswering(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${stderr()}`);
    try {
      await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`moto_server did not answer on ${url} within ${READY_TIMEOUT_MS} ms:\n${stderr()}`);
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGKILL");
    await exited;
  }
  forgetGroup(child.pid!);
}
