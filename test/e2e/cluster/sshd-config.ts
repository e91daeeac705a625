export interface SshdConfigOptions {
  readonly listenAddress: string;
  readonly port: number;
  readonly hostKeyPath: string;
  readonly pidFilePath: string;
  readonly authorizedKeysPath: string;
  /** PATH of every session, so it does not depend on the machine's sshd build. */
  readonly sessionPath: string;
}

/** sshd_config for one namespace host: only key logins, nothing read from the machine's own sshd setup. */
export function renderSshdConfig(options: SshdConfigOptions): string {
  const lines: [keyword: string, ...values: string[]][] = [
    ["ListenAddress", `${options.listenAddress}:${options.port}`],
    ["HostKey", options.hostKeyPath],
    ["PidFile", options.pidFilePath],
    ["AuthorizedKeysFile", options.authorizedKeysPath],
    ["PermitRootLogin", "prohibit-password"],
    ["PubkeyAuthentication", "yes"],
    ["PasswordAuthentication", "no"],
    ["KbdInteractiveAuthentication", "no"],
    // PAM would read the machine's /etc/pam.d and /etc/environment; key files live in a 0777 tmp dir.
    ["UsePAM", "no"],
    ["StrictModes", "no"],
    ["UseDNS", "no"],
    ["PrintMotd", "no"],
    ["Subsystem", "sftp", "internal-sftp"],
    // SHLVL=1 makes bash skip the rc files it otherwise sources for ssh commands: slow tools in
    // root's .bashrc turned a 3 ms exec into 100 ms (each host's home starts empty, too).
    ["SetEnv", "SHLVL=1", `PATH=${options.sessionPath}`],
  ];
  return lines.map((words) => words.map(quote).join(" ")).join("\n") + "\n";
}

function quote(word: string): string {
  if (/["\\\n]/.test(word)) throw new Error(`sshd_config value cannot contain quotes, backslashes or newlines: ${word}`);
  return /\s/.test(word) ? `"${word}"` : word;
}
