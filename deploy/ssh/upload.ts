import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { SFTPWrapper } from "ssh2";
import { HydroError } from "../errors.js";
import { PRIVATE_FILE } from "../paths.js";
import type { SessionPool } from "./connection.js";

export interface UploadOptions {
  mode?: number;
  signal: AbortSignal;
  /** The pid that owns this deployer's leftovers on the host (see probe.ts): the temporary name carries it. */
  owner: number;
  /** For messages: `ssh host "host1"`. */
  label: string;
}

/**
 * Uploads under a temporary name and renames, so no half-written file is ever visible under
 * `remote`; skipped when `remote` exists (paths are content-addressed). An aborted or failed
 * upload removes its temporary file; one a killed deployer leaves is swept by the next launch.
 * Returns whether anything was uploaded.
 */
export async function upload(pool: SessionPool, local: string, remote: string, options: UploadOptions): Promise<boolean> {
  const sftp = await pool.sftp();
  const exists = await new Promise<boolean>((resolve) => sftp.stat(remote, (error) => resolve(!error)));
  if (exists) return false;
  const temporary = `${remote}.${options.owner}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await pipeline(fs.createReadStream(local), sftp.createWriteStream(temporary, { mode: options.mode ?? PRIVATE_FILE }), { signal: options.signal });
  } catch (error) {
    await new Promise((resolve) => sftp.unlink(temporary, resolve));
    if (options.signal.aborted) throw error;
    throw new HydroError(`${options.label}: cannot upload ${local} to ${remote}: ${await explain(sftp, error as Error, local, remote)}`);
  }
  // If the rename fails, someone uploaded the same content meanwhile: theirs is as good as ours.
  await new Promise<void>((resolve) => sftp.rename(temporary, remote, (error) => (error ? sftp.unlink(temporary, () => resolve()) : resolve())));
  return true;
}

/** SFTP reports a full disk as a bare "Failure": the free space of the directory tells it apart. */
async function explain(sftp: SFTPWrapper, error: Error, local: string, remote: string): Promise<string> {
  const free = await new Promise<number | undefined>((resolve) =>
    sftp.ext_openssh_statvfs(path.posix.dirname(remote), (statError, stats) => resolve(statError ? undefined : stats.f_bavail * stats.f_frsize)),
  ).catch(() => undefined);
  const needed = fs.statSync(local).size;
  if (free !== undefined && free < needed) return `no space left on device (${free} bytes free, ${needed} needed)`;
  return error.message;
}
