import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import * as z from "zod/mini";
import { checkOwner, host, name, parse } from "../options.js";
import { ConfigError } from "../errors.js";
import { formatCallsite, type Callsite } from "../callsite.js";
import type { HostOwner } from "../host.js";
import { pinnedFingerprint } from "./known-hosts.js";
import { defaultCredentials, NO_DEFAULT_CREDENTIALS } from "./credentials.js";

const sshOptions = z.strictObject({
  host: z.string().check(z.minLength(1, "give the machine's address or name")),
  port: z._default(z.int().check(z.minimum(1), z.maximum(65535)), 22),
  user: z._default(z.string().check(z.minLength(1)), () => os.userInfo().username),
  privateKeyPath: z.optional(z.string().check(z.minLength(1))),
  privateKey: z.optional(z.string().check(z.minLength(1))),
  /** An ssh-agent socket; by default $SSH_AUTH_SOCK when no key is given. */
  agent: z.optional(z.string().check(z.minLength(1))),
  /** Pins the host key in advance: "SHA256:…" or a public key line. */
  hostKey: z.optional(z.string()),
  /** A bastion: another ssh() host of the same Deployment that this one is reached through. */
  jump: z.optional(host),
  /** Attempts to connect before giving up (transient network errors only), with backoff. */
  connectAttempts: z._default(z.int().check(z.positive()), 5),
  /**
   * Hosts given the same network reach each other directly, at their `host` address; by default
   * each SSH host is a network of its own, and traffic between two goes through the deployer.
   */
  network: z.optional(name),
  name: z.optional(name),
});
export type SshOptions = z.output<typeof sshOptions>;
export type SshInput = z.input<typeof sshOptions>;

/** Checks ssh() options: one credential (found like OpenSSH does when none is given), a readable key file, a valid pinned key. */
export function parseSsh(input: unknown, site: Callsite | undefined, owner: HostOwner): SshOptions {
  const options = parse(sshOptions, input, "ssh()", site);
  const at = `${site ? `${formatCallsite(site)}: ` : ""}ssh()`;
  const given = (["privateKeyPath", "privateKey", "agent"] as const).filter((key) => options[key] !== undefined);
  if (given.length > 1) throw new ConfigError(`${at}: give one of privateKeyPath, privateKey, agent (got ${given.join(" and ")})`);
  if (options.jump) checkOwner(options.jump, owner, at);
  if (options.hostKey !== undefined) {
    try {
      pinnedFingerprint(options.hostKey);
    } catch (error) {
      throw new ConfigError(`${at}: hostKey: ${(error as Error).message}`);
    }
  }
  if (given.length === 0) {
    const found = defaultCredentials();
    if (!found) throw new ConfigError(`${at}: no credentials: give privateKeyPath, privateKey or agent (${NO_DEFAULT_CREDENTIALS})`);
    Object.assign(options, found);
  }
  if (options.privateKeyPath) {
    options.privateKeyPath = path.resolve(options.privateKeyPath);
    try {
      fs.accessSync(options.privateKeyPath, fs.constants.R_OK);
    } catch {
      throw new ConfigError(`${at}: privateKeyPath: cannot read ${options.privateKeyPath}`);
    }
  }
  return options;
}
