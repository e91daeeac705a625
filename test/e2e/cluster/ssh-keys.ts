import { readFile } from "node:fs/promises";
import { execa } from "execa";

/**
 * Writes an unencrypted ed25519 key pair to `privateKeyPath` (0600) and `<privateKeyPath>.pub`.
 * Returns the public key as "ssh-ed25519 AAAA…", without the comment.
 */
export async function generateKeyPair(privateKeyPath: string, comment: string): Promise<string> {
  await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", privateKeyPath]);
  const [type, key] = (await readFile(`${privateKeyPath}.pub`, "utf8")).trim().split(/\s+/);
  if (!type || !key) throw new Error(`ssh-keygen wrote an unreadable public key to ${privateKeyPath}.pub`);
  return `${type} ${key}`;
}
