import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { HydroError } from "../errors.js";
import { hydroDir, PRIVATE_FILE, privateDir } from "../paths.js";

/** OpenSSH-style fingerprint of a raw public key blob: "SHA256:…" (base64, no padding). */
export function fingerprint(key: Buffer): string {
  return `SHA256:${crypto.createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** A pinned key as the user may write it: a fingerprint, or a public key line ("ssh-ed25519 AAAA… comment"). */
export function pinnedFingerprint(pinned: string): string {
  const trimmed = pinned.trim();
  if (trimmed.startsWith("SHA256:")) return trimmed;
  const [type, blob] = trimmed.split(/\s+/);
  if (!/^(ssh-|ecdsa-|sk-)/.test(type ?? "") || !blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) {
    throw new HydroError(`hostKey "${pinned}" is neither a SHA256:… fingerprint nor a public key line`);
  }
  return fingerprint(Buffer.from(blob, "base64"));
}

/**
 * Host keys pinned on first use in `.hydro/known_hosts` (one `[host]:port SHA256:…` per line).
 * A changed key is refused, naming both fingerprints; `hostKey` pins one in advance.
 */
export class KnownHosts {
  constructor(private readonly file = hydroDir("known_hosts")) {}

  private entries(): Map<string, string> {
    const entries = new Map<string, string>();
    const text = fs.existsSync(this.file) ? fs.readFileSync(this.file, "utf8") : "";
    for (const line of text.split("\n")) {
      const [where, print] = line.trim().split(/\s+/);
      if (where && print) entries.set(where, print);
    }
    return entries;
  }

  /** Returns undefined when the key is accepted, or why it is refused. */
  check(host: string, port: number, key: Buffer, pinned: string | undefined): string | undefined {
    const where = `[${host}]:${port}`;
    const seen = fingerprint(key);
    const expected = pinned ? pinnedFingerprint(pinned) : this.entries().get(where);
    if (expected === undefined) {
      privateDir(path.dirname(this.file));
      fs.appendFileSync(this.file, `${where} ${seen}\n`, { mode: PRIVATE_FILE });
      return undefined;
    }
    if (expected === seen) return undefined;
    const source = pinned ? "the hostKey option" : this.file;
    return `host key of ${where} does not match: expected ${expected} (from ${source}), got ${seen}. If the host was reinstalled, remove its line from ${this.file}`;
  }
}
