import { access, constants, realpath } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * PATH of every session on every host: Debian sshd's default for root without PAM, plus the
 * directory of the node running the harness in case that is elsewhere (nvm, a CI tool cache).
 */
export const SESSION_PATH = [...new Set(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", dirname(process.execPath)])].join(":");

/** What a host without node lacks: npm and friends are node scripts and would fail anyway. */
export const NODE_EXECUTABLES = ["node", "nodejs", "npm", "npx", "corepack"] as const;

/** The real directories on `path` that hold a `node` executable (/bin and /usr/bin count once). */
export async function directoriesHoldingNode(path: string): Promise<string[]> {
  const holding = await Promise.all(
    path.split(":").map((dir) =>
      access(join(dir, "node"), constants.X_OK).then(
        () => realpath(dir),
        () => undefined,
      ),
    ),
  );
  return [...new Set(holding.filter((dir) => dir !== undefined))];
}
