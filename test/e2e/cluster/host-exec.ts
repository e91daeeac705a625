import { execa } from "execa";
import { nsenterArgs } from "./host-init.js";
import { SESSION_PATH } from "./session-path.js";

export interface HostExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** undefined when the command was killed by a signal. */
  readonly exitCode: number | undefined;
}

// What an SSH session of root on a host gets, so exec and SSH see the same commands.
const SESSION_ENV = { PATH: SESSION_PATH, HOME: "/root", USER: "root", LOGNAME: "root" };

/**
 * Runs `sh -c command` as root inside the host whose init is `initPid`, without SSH, in the
 * session environment plus `env`. Never rejects on a non-zero exit.
 */
export async function execInHost(
  initPid: number,
  command: string,
  options: { env?: Readonly<Record<string, string>>; timeoutMs?: number } = {},
): Promise<HostExecResult> {
  const { stdout, stderr, exitCode } = await execa("nsenter", nsenterArgs(initPid, ["sh", "-c", command]), {
    reject: false,
    extendEnv: false,
    env: { ...SESSION_ENV, ...options.env },
    stdin: "ignore",
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
  return { stdout, stderr, exitCode };
}
