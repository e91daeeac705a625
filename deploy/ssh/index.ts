import fs from "node:fs";
import { DeclaredHost, type LaunchContext, type LaunchedHost } from "../host.js";
import type { SshOptions } from "./options.js";
import { connectSsh, type LaunchedSshHost } from "./launched.js";

/** An SSH host's network: its own, unless the config groups hosts with `network`. */
export const sshNetwork = (options: SshOptions, name: string) => `ssh:${options.network ?? name}`;

/** A machine the user reaches over SSH: a lab cluster, a VM, a Raspberry Pi; also what cloud hosts become. */
export class SshHost extends DeclaredHost<SshOptions> {
  async launch(context: LaunchContext): Promise<LaunchedHost> {
    const { options } = this;
    return connectSsh(
      this,
      {
        endpoint: {
          host: options.host,
          port: options.port,
          user: options.user,
          auth: {
            ...(options.privateKeyPath ? { privateKey: fs.readFileSync(options.privateKeyPath), privateKeyPath: options.privateKeyPath } : {}),
            ...(options.privateKey ? { privateKey: options.privateKey } : {}),
            ...(options.agent ? { agent: options.agent } : {}),
          },
          hostKey: options.hostKey,
          label: `ssh host "${this.name}" (${options.user}@${options.host}:${options.port})`,
        },
        network: sshNetwork(options, this.name),
        ...(options.jump ? { via: (await context.launched(options.jump)) as LaunchedSshHost } : {}),
        connectAttempts: options.connectAttempts,
      },
      context,
    );
  }
}
