import type { Host, LaunchContext, LaunchedHost } from "../host.js";
import type { SshOptions } from "../options.js";
import { LaunchedSshHost } from "./launched.js";

/** A machine the user reaches over SSH: a lab cluster, a VM, a Raspberry Pi; also what cloud hosts become. */
export class SshHost implements Host {
  constructor(
    readonly owner: object,
    readonly name: string,
    readonly options: SshOptions,
  ) {}

  launch(context: LaunchContext): Promise<LaunchedHost> {
    return LaunchedSshHost.launch(this, context);
  }
}
