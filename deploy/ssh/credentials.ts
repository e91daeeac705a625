import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** How to log in: a key (its text, and the file it came from for messages), an ssh-agent socket, or both. */
export interface SshCredentials {
  privateKey?: Buffer | string;
  privateKeyPath?: string;
  agent?: string;
}

/** The keys looked for, in this order, when no credential is given (after $SSH_AUTH_SOCK). */
const DEFAULT_KEYS = ["id_ed25519", "id_ecdsa", "id_rsa"];

/** What OpenSSH would use without options: $SSH_AUTH_SOCK, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa; undefined when there is none. */
export function defaultCredentials(): { agent: string } | { privateKeyPath: string } | undefined {
  const agent = process.env.SSH_AUTH_SOCK;
  if (agent) return { agent };
  const key = DEFAULT_KEYS.map((file) => path.join(os.homedir(), ".ssh", file)).find((file) => fs.existsSync(file));
  return key ? { privateKeyPath: key } : undefined;
}

export const NO_DEFAULT_CREDENTIALS = `there is no SSH_AUTH_SOCK and no ~/.ssh/${DEFAULT_KEYS.join(", ")}`;
