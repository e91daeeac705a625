import { execa } from "execa";

/** One `hydro run --json <args>` in `cwd`: how long its `deploy` step took (ms), as the CLI reports it; its last one, if it has several. */
export async function deployStepMs(cli: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<number> {
  const result = await execa("node", [cli, "run", "--json", ...args], { cwd, reject: false, env });
  if (result.exitCode !== 0) throw new Error(`hydro run ${args.join(" ")} failed:\n${result.stderr}`);
  // The script's own console.log lines are `log` events; the deploy step is what is timed.
  const step = result.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { type: string; path?: string[]; status?: string; ms?: number })
    .findLast((event) => event.type === "step" && event.path?.join("/") === "deploy" && event.status === "done");
  if (!step?.ms) throw new Error(`hydro run ${args.join(" ")} reported no deploy step`);
  return step.ms;
}
