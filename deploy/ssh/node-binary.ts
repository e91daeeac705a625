import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import os from "node:os";
import { hydroDir, PRIVATE_FILE, privateDir } from "../paths.js";

/** The platform a node binary runs on, as `uname -sm` prints it. */
export const localPlatform = `${os.type()} ${os.machine()}`;

/** The smallest Node major the runtime supports (top-level await, node:module SourceMap, …). */
export const MIN_NODE_MAJOR = 20;

let local: Promise<{ path: string; hash: string }> | undefined;

/**
 * The deployer's own node binary and its content hash (for a content-addressed upload to hosts
 * without node). Hashing ~100 MB takes a while, so the hash is cached by path, size and mtime.
 */
export function localNodeBinary(): Promise<{ path: string; hash: string }> {
  local ??= (async () => {
    const binary = fs.realpathSync(process.execPath);
    const stat = fs.statSync(binary);
    const key = `${binary}\0${stat.size}\0${stat.mtimeMs}`;
    const record = hydroDir("cache", "node-binary.json");
    try {
      const cached = JSON.parse(fs.readFileSync(record, "utf8")) as { key: string; hash: string };
      if (cached.key === key) return { path: binary, hash: cached.hash };
    } catch {
      // Not hashed yet.
    }
    const hash = crypto.createHash("sha256");
    for await (const chunk of fs.createReadStream(binary)) hash.update(chunk as Buffer);
    const digest = hash.digest("hex").slice(0, 32);
    privateDir(path.dirname(record));
    fs.writeFileSync(record, JSON.stringify({ key, hash: digest }), { mode: PRIVATE_FILE });
    return { path: binary, hash: digest };
  })();
  return local;
}
