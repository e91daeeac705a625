import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import type { SessionPool } from "./connection.js";

/**
 * Uploads under a temporary name and renames, so no half-written file is ever visible under
 * `remote`; skipped when `remote` exists (paths are content-addressed). An aborted or failed
 * upload removes its temporary file. Returns whether anything was uploaded.
 */
export async function upload(pool: SessionPool, local: string, remote: string, options: { mode?: number; signal: AbortSignal }): Promise<boolean> {
  const sftp = await pool.sftp();
  const exists = await new Promise<boolean>((resolve) => sftp.stat(remote, (error) => resolve(!error)));
  if (exists) return false;
  const temporary = `${remote}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await pipeline(fs.createReadStream(local), sftp.createWriteStream(temporary, { mode: options.mode ?? 0o644 }), { signal: options.signal });
  } catch (error) {
    await new Promise((resolve) => sftp.unlink(temporary, resolve));
    throw error;
  }
  // If the rename fails, someone uploaded the same content meanwhile: theirs is as good as ours.
  await new Promise<void>((resolve) => sftp.rename(temporary, remote, (error) => (error ? sftp.unlink(temporary, () => resolve()) : resolve())));
  return true;
}
