import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../deploy/paths.js";

/** `at fn (file:line:column)` or `at file:line:column`, the file maybe a file:// URL. */
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;
/** hydro-deploy's own code (through source maps, dist/ reads as these): a frame there is not where the script went wrong. */
const ownCode = ["dist", "deploy", "cli", "runtime"].map((dir) => path.join(packageRoot, dir) + path.sep);

/** Where the script threw `error`, as `file:line:column`: its first stack frame outside hydro-deploy, Node and node_modules. */
export function thrownAt(error: Error): string | undefined {
  for (const frame of error.stack?.split("\n").slice(1) ?? []) {
    const [, location, line, column] = FRAME.exec(frame) ?? [];
    if (!location || location.startsWith("node:") || location.includes(`${path.sep}node_modules${path.sep}`)) continue;
    const file = location.startsWith("file://") ? fileURLToPath(location) : location;
    if (!path.isAbsolute(file) || ownCode.some((dir) => file.startsWith(dir))) continue;
    const relative = path.relative(process.cwd(), file);
    return `${relative.startsWith("..") ? file : relative}:${line}:${column}`;
  }
  return undefined;
}
