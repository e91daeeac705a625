import fs from "node:fs";
import path from "node:path";
import { hydroDir, privateDir, writeAtomicallySync } from "../paths.js";

export interface KeyPair {
  /** OpenSSH private key text. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment` */
  publicKey: string;
}

/**
 * A fresh ed25519 key pair (ssh2's generator: OpenSSH formats, no ssh-keygen needed). ssh2 drops
 * the leading zero bytes of a public key that starts with them (1 key in ~256), which EC2, sshd and
 * OpenSSL all refuse ("An Ed25519 public key is 32 bytes long"): such a pair is drawn again.
 */
export async function generateKeyPair(comment: string): Promise<KeyPair> {
  const { utils } = (await import("ssh2")).default;
  for (;;) {
    const pair = utils.generateKeyPairSync("ed25519", { comment });
    const publicKey = pair.public.trim();
    if (ed25519KeyBytes(publicKey) === 32) return { privateKey: pair.private, publicKey };
  }
}

/** The length of the key inside an `ssh-ed25519 AAAA…` line's blob (string "ssh-ed25519", then string key). */
export function ed25519KeyBytes(publicKey: string): number {
  const blob = Buffer.from(publicKey.split(/\s+/)[1] ?? "", "base64");
  const typeLength = blob.readUInt32BE(0);
  return blob.readUInt32BE(4 + typeLength);
}

/**
 * The deployment's client key: made once per deployment (its id is new each run), kept 0600 in
 * `.hydro/keys/<deployment>` while its VMs may exist (so `ssh -i` works by hand, and a crashed run's
 * VMs stay reachable), and removed with them.
 */
export async function deploymentKey(deployment: string): Promise<KeyPair & { path: string; remove(): void }> {
  const file = path.join(privateDir(hydroDir("keys")), deployment);
  const pair = await generateKeyPair(`hydro-deploy ${deployment}`);
  writeAtomicallySync(file, pair.privateKey);
  writeAtomicallySync(`${file}.pub`, `${pair.publicKey}\n`);
  return { ...pair, path: file, remove: () => [file, `${file}.pub`].forEach((key) => fs.rmSync(key, { force: true })) };
}
