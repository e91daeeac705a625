import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const fixture = (name: string) => path.join(repoRoot, "test", "fixtures", name);
export const cli = path.join(repoRoot, "bin", "hydro.js");

/** The built CLI as a user runs it: piped (so no terminal), in a fresh working directory unless given one. */
export function hydro(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return execa("node", [cli, ...args], { cwd: options.cwd ?? tempDir(), reject: false, env: { NO_COLOR: "1", ...options.env }, timeout: 90_000 });
}

/** A fresh directory, removed when the test process exits. */
export function tempDir(prefix = "hydro-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `body` with a fresh working directory, where `.hydro` (state files, keys) is then found. */
export async function inTempDir<T>(body: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(tempDir());
  try {
    return await body();
  } finally {
    process.chdir(before);
  }
}

/** Pids of live processes whose command line contains `text`. */
export function processesMatching(text: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", "--", text], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return [];
  }
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function uniqueTag(): string {
  return `hydro-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Array.fromAsync, which Node 20 lacks. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Resolves when the child prints a stdout line containing `text`; rejects if it exits first. */
export function waitForLine(child: ResultPromise, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
    child.once("exit", () => reject(new Error(`exited before printing '${text}'; printed:\n${seen}`)));
  });
}
