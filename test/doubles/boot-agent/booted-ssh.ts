// Logging into a booted host the way the deployer does: the real OpenSSH client, as root, with the
// client key its boot script authorized, accepting only the host key pinned for it.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { sshArgs } from "../../e2e/cluster/ssh-client.js";

export interface PinnedHost {
  readonly address: string;
  /** known_hosts with only this host's pinned key. */
  readonly knownHostsPath: string;
}

/** Writes `dir/known_hosts-<name>` pinning `publicKey` for `address`. */
export async function pinHostKey(dir: string, name: string, address: string, publicKey: string): Promise<PinnedHost> {
  const knownHostsPath = join(dir, `known_hosts-${name}`);
  await writeFile(knownHostsPath, `${address} ${publicKey}\n`);
  return { address, knownHostsPath };
}

/** Runs `command` there; never throws, so a test can assert a refusal's exit code and message. */
export function sshPinned(host: PinnedHost, privateKeyPath: string, command: string) {
  const args = sshArgs({ address: host.address, port: 22, user: "root", privateKeyPath, knownHostsPath: host.knownHostsPath }, ["ConnectTimeout=5"]);
  return execa("ssh", [...args, command], { reject: false, timeout: 30_000 });
}
