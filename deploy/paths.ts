import fs from "node:fs";
import crypto from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);

/** Published, the deployer runs as one bundle (dist/hydro.mjs); in tests it runs from deploy/*.ts under tsx. */
export const deployerFile = here;
const bundled = here.endsWith(".mjs");

/** Two levels up from dist/hydro.mjs and from deploy/paths.ts alike. */
export const packageRoot = path.dirname(path.dirname(here));

/** What a config's `import "hydro-deploy"` resolves to: this very module instance, so both share one registry. */
export const apiModule = bundled ? here : path.join(packageRoot, "deploy", "index.ts");

/** Programs are bundled from the runtime's TypeScript sources, which the package ships. */
export const runtimeSource = (file: "index.ts" | "prelude.ts" | "msgpack.ts") => path.join(packageRoot, "runtime", file);

/** The project's `.hydro` directory, in the working directory like `.git`: bundle cache, pinned host keys. */
export const hydroDir = (...parts: string[]) => path.resolve(".hydro", ...parts);

/** Files the deployer keeps (bundles of the user's code, host keys) are for the user alone. */
export const PRIVATE_FILE = 0o600;

/** A path as the user gave it, relative to the working directory, unless it lies outside that. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === "" ? "." : relative.startsWith("..") ? file : relative;
}

/**
 * Creates `dir` (a directory in .hydro) and its parents 0700; .hydro itself is closed to others
 * too if an older version made it open, which also covers what it already holds.
 */
export function privateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const root = hydroDir();
  if (fs.statSync(root).uid === process.getuid?.()) fs.chmodSync(root, 0o700);
  return dir;
}

/**
 * Written under a temporary name and renamed, so a reader never sees half a file; private unless
 * `mode` says otherwise (a sweep's results are the user's to share); `sync` for records that must be
 * on disk before the next step.
 */
export async function writeAtomically(file: string, data: string | Uint8Array, mode = PRIVATE_FILE): Promise<void> {
  const temporary = temporaryName(file);
  await fs.promises.writeFile(temporary, data, { mode });
  await fs.promises.rename(temporary, file);
}

export function writeAtomicallySync(file: string, data: string | Uint8Array): void {
  const temporary = temporaryName(file);
  fs.writeFileSync(temporary, data, { mode: PRIVATE_FILE });
  fs.renameSync(temporary, file);
}

const temporaryName = (file: string) => `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
