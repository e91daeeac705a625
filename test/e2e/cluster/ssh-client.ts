export interface SshTarget {
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly privateKeyPath: string;
  readonly knownHostsPath: string;
}

/**
 * Arguments for the OpenSSH client (`ssh …args command`, also `sftp …args`) that log into
 * `target` with the cluster's key, accept only the host key the cluster generated, and never prompt.
 */
export function sshArgs(target: SshTarget, extraOptions: readonly string[] = []): string[] {
  return [
    // No ~/.ssh/config of the machine's user gets in the way.
    ...["-F", "/dev/null"],
    ...["-i", target.privateKeyPath],
    ...["-o", "IdentitiesOnly=yes"],
    ...["-o", `UserKnownHostsFile=${target.knownHostsPath}`],
    ...["-o", "StrictHostKeyChecking=yes"],
    ...["-o", "BatchMode=yes"],
    ...["-o", "LogLevel=ERROR"],
    ...extraOptions.flatMap((option) => ["-o", option]),
    ...["-o", `Port=${target.port}`],
    `${target.user}@${target.address}`,
  ];
}
