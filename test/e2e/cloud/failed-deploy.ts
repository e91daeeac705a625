// `hydro run` of test/fixtures/two-cloud-vms.hydro.ts for a deployment that is to fail before any
// VM exists: what it printed, and what it left in .hydro (it should leave no state file and no key).
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { cli, fixture, tempDir } from "../../helpers.js";

export interface FailedDeploy {
  exitCode: number | undefined;
  /** What deploy() threw, as the config printed it: `CloudError NoCredentials`, `HydroError`. */
  thrown: string | undefined;
  /** The CLI's `error: …` lines (stderr also holds the SDKs' own warnings). */
  errors: string[];
  /** Files under .hydro/state and .hydro/keys, relative to .hydro. */
  leftovers: string[];
  output: string;
}

/** Runs it with exactly `env` (nothing inherited from this process, which may hold credentials), asynchronously: a cloud double may answer from this process. */
export async function deployTwoVms(args: [cloud: "aws" | "gcp", where: string, type?: string], env: Record<string, string>): Promise<FailedDeploy> {
  const dir = tempDir();
  const result = await execa(process.execPath, [cli, "run", fixture("two-cloud-vms.hydro.ts"), "--", ...args.filter((arg) => arg !== undefined)], {
    cwd: dir,
    reject: false,
    extendEnv: false,
    env: { PATH: process.env.PATH!, NO_COLOR: "1", ...env },
    timeout: 60_000,
  });
  const hydro = path.join(dir, ".hydro");
  const leftovers = ["state", "keys"].flatMap((sub) =>
    fs.existsSync(path.join(hydro, sub)) ? fs.readdirSync(path.join(hydro, sub), { recursive: true }).map((file) => path.join(sub, String(file))) : [],
  );
  return {
    exitCode: result.exitCode,
    thrown: /^deploy\(\) threw (.+)$/m.exec(result.stdout)?.[1],
    errors: result.stderr.split("\n").filter((line) => line.startsWith("error:")),
    leftovers,
    output: `${result.stdout}\n${result.stderr}${result.timedOut ? "\n(timed out)" : ""}`,
  };
}
