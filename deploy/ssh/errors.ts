import { HydroError } from "../errors.js";

/**
 * Why an SSH connection could not be made, for a caller to tell apart without reading the message:
 * - `host-key`: the host's key is not the one pinned (hostKey option, or learned on first use);
 * - `authentication`: the user was refused with the key or agent given;
 * - `refused`: nothing listens on the port;
 * - `timeout`: no answer to TCP, or an SSH handshake that stalled;
 * - `network`: the connection was reset, the host or network is unreachable, its name did not resolve now;
 * - `other`: anything else (a protocol error, a connection closed during the handshake).
 */
export type SshConnectReason = "host-key" | "authentication" | "refused" | "timeout" | "network" | "other";

/** Those of the reasons that may pass: a retry can succeed. */
export const TRANSIENT_REASONS: ReadonlySet<SshConnectReason> = new Set(["refused", "timeout", "network"]);

/** An SSH host could not be connected to and logged into, after every attempt its options allowed. */
export class SshConnectError extends HydroError {
  override name = "SshConnectError";

  constructor(
    /** The host as messages name it: `ssh host "db" (root@10.0.0.2:22)`. */
    readonly endpoint: string,
    readonly reason: SshConnectReason,
    readonly attempts: number,
    detail: string,
  ) {
    super(`cannot connect to ${endpoint}${attempts > 1 ? ` after ${attempts} attempts` : ""}: ${detail}`);
  }
}
