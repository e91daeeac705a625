import path from "node:path";
import { fileURLToPath } from "node:url";
import { deployerFile, packageRoot } from "./paths.js";

/** Where in the user's config a declaration was made: "examples/echo/echo.hydro.ts:7:18". */
export interface Callsite {
  file: string;
  line: number;
  /** Omitted where the config's language does not say (a Python traceback names lines only). */
  column?: number;
}

/** The call being made on behalf of a config in another language, which says where it was made. */
let foreignSite: Callsite | undefined;

/**
 * Runs `call` as if the user's code at `site` had made it: how a Python config's calls, made by the
 * bridge, name the .py file and line in their errors and resolve `src` against that file.
 * Only the synchronous part of `call` sees it, which is where every declaration reads its site.
 */
export function asIfCalledFrom<T>(site: Callsite, call: () => T): T {
  foreignSite = site;
  try {
    return call();
  } finally {
    foreignSite = undefined;
  }
}

const libraryDirs = ["deploy", "runtime", "cli"].map((dir) => path.join(packageRoot, dir) + path.sep);
const FRAME = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/;

/**
 * The first stack frame outside hydro-deploy itself. Config scripts are loaded with source maps
 * enabled, so the frame names the user's .ts file and line.
 */
export function callsite(): Callsite | undefined {
  if (foreignSite) return foreignSite;
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  for (const frame of stack) {
    const match = FRAME.exec(frame.trim());
    if (!match) continue;
    const file = match[1]!.startsWith("file://") ? fileURLToPath(match[1]!) : match[1]!;
    if (isLibrary(file)) continue;
    return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

function isLibrary(file: string): boolean {
  if (file.includes(`${path.sep}node_modules${path.sep}`)) return true;
  return file === deployerFile || (!file.endsWith(".test.ts") && libraryDirs.some((dir) => file.startsWith(dir)));
}

export function formatCallsite(site: Callsite | undefined): string {
  if (!site) return "";
  return `${path.relative(process.cwd(), site.file) || site.file}:${site.line}${site.column === undefined ? "" : `:${site.column}`}`;
}
