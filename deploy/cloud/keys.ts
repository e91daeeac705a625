import fs from "node:fs";
import path from "node:path";
import { hydroDir, privateDir, writeAtomicallySync } from "../paths.js";

export interface KeyPair {
  /** OpenSSH private key text. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment` */
  publicKey: string;
}

/** A fresh ed25519 key pair (ssh2's generator: OpenSSH formats, no ssh-keygen needed). */
export async function generateKeyPair(comment: string): Promise<KeyPair> {
  const { utils } = (await import("ssh2")).default;
  const pair = utils.generateKeyPairSync("ed25519", { comment });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}

/**
 * The deployment's client key: made once per deployment, kept 0600 in `.hydro/keys/<deployment>`
 * while its VMs may exist (so `ssh -i` works by hand, and a crashed run's VMs stay reachable), and
 * removed with them.
 */
export async function deploymentKey(deployment: string): Promise<KeyPair & { path: string; remove(): void }> {
  const file = path.join(privateDir(hydroDir("keys")), deployment);
  const pair = fs.existsSync(file)
    ? { privateKey: fs.readFileSync(file, "utf8"), publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim() }
    : await generateKeyPair(`hydro-deploy ${deployment}`);
  writeAtomicallySync(file, pair.privateKey);
  writeAtomicallySync(`${file}.pub`, `${pair.publicKey}\n`);
  return { ...pair, path: file, remove: () => [file, `${file}.pub`].forEach((key) => fs.rmSync(key, { force: true })) };
}
