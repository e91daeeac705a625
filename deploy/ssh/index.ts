import fs from "node:fs";
import { DeclaredHost, type LaunchContext, type LaunchedHost } from "../host.js";
import type { SshOptions } from "./options.js";
import { connectSsh, type LaunchedSshHost } from "./launched.js";

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
        network: `ssh:${options.network ?? this.name}`,
        ...(options.jump ? { via: (await context.launched(options.jump)) as LaunchedSshHost } : {}),
        connectAttempts: options.connectAttempts,
      },
      context,
    );
  }
}
