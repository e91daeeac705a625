import fs from "node:fs";
import path from "node:path";
import { emit } from "../events.js";
import { TIMED_OUT, within } from "../bounded.js";
import type { LaunchedHost } from "../host.js";
import { hydroDir, privateDir, shownPath, writeAtomically } from "../paths.js";
import { asCpuProfile, topFunctions } from "./cpuprofile.js";
import { flamegraphSvg } from "./flamegraph.js";
import { framesToSources } from "./source-frames.js";

/** How many functions the line at a run's end names. */
const TOP = 5;
/** How long bringing a profile back may hold up its program's stop (and so teardown). */
const FETCH_MS = 60_000;

/** Where a deployment's profiles go: `.hydro/profiles/<deployment id>/`. */
export const profilesDir = (deploymentId: string) => hydroDir("profiles", deploymentId);

/**
 * Brings the profile a run of `program` left at `remote` on `host` (node wrote it as the program
 * exited) to `<dir>/<program>.cpuprofile` (`.run2`, … for later runs), its frames mapped from the
 * program's `bundle` to its sources, renders its flame graph
 * beside it (`.svg`), and reports both with the functions that took the most time themselves.
 * A run killed by a signal wrote none: that is reported instead, in one line.
 */
export async function collectProfile(host: LaunchedHost, remote: string, program: string, run: number, dir: string, bundle: string): Promise<void> {
  const base = path.join(privateDir(dir), `${program}${run > 1 ? `.run${run}` : ""}`);
  const file = `${base}.cpuprofile`;
  try {
    if ((await within(host.download!(remote, file), FETCH_MS)) === TIMED_OUT) throw new Error(`not brought back within ${FETCH_MS / 1000} s`);
  } catch (error) {
    fs.rmSync(file, { force: true });
    const missing = /ENOENT|No such file/i.test(String((error as Error).message)) || (error as NodeJS.ErrnoException).code === "ENOENT";
    const why = missing ? "none was written (a program killed by a signal writes none)" : (error as Error).message;
    emit({ type: "log", level: "warn", message: `profile of ${program}: ${why}` });
    return;
  }
  const profile = asCpuProfile(JSON.parse(await fs.promises.readFile(file, "utf8")), file);
  framesToSources(profile, bundle);
  await writeAtomically(file, JSON.stringify(profile));
  await writeAtomically(`${base}.svg`, flamegraphSvg(profile, `${program}${run > 1 ? ` (run ${run})` : ""}: CPU profile`));
  const top = topFunctions(profile, TOP).map(({ label, share }) => `${label} ${(100 * share).toFixed(1)}%`);
  emit({
    type: "log",
    level: "info",
    message: `profile of ${program}: ${shownPath(file)} (flame graph: ${shownPath(`${base}.svg`)}); most self time: ${top.join(", ")}`,
  });
}
