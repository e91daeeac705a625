import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { HydroError } from "../errors.js";
import { PRIVATE_FILE } from "../paths.js";
import type { SessionPool } from "./connection.js";

/** Copies `remote` from the host to `local` over the connection's SFTP session (a CPU profile, after its program exited). */
export async function download(pool: SessionPool, remote: string, local: string, label: string): Promise<void> {
  const sftp = await pool.sftp();
  try {
    await pipeline(sftp.createReadStream(remote), fs.createWriteStream(local, { mode: PRIVATE_FILE }));
  } catch (error) {
    fs.rmSync(local, { force: true });
    throw new HydroError(`${label}: cannot download ${remote}: ${(error as Error).message}`);
  }
}
