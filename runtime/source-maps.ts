import fs from "node:fs";
import path from "node:path";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Maps stack traces of a bundled program back to its .ts sources, reading the bundle's .map file
 * only when a stack is first formatted. Node's --enable-source-maps would parse the map eagerly
 * at start-up (~30 ms for a bundle that includes zod), on every process.
 * Installed by runtime/prelude.ts, before user code runs.
 */
const bundleFile = fileURLToPath(import.meta.url);
const bundleDir = path.dirname(bundleFile);
let map: SourceMap | null | undefined;

function loadMap(): SourceMap | null {
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${bundleFile}.map`, "utf8")));
    } catch {
      map = null;
    }
  }
  return map;
}

function mapFrame(frame: NodeJS.CallSite): string {
  const file = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  const sourceMap = file && (file === bundleFile || file === import.meta.url) && line !== null && column !== null ? loadMap() : null;
  const entry = sourceMap?.findEntry(line! - 1, column! - 1);
  if (!entry || !("originalSource" in entry) || !entry.originalSource) return `    at ${frame}`;
  const source = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : path.resolve(bundleDir, entry.originalSource);
  const where = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const name = frame.getFunctionName();
  return name ? `    at ${name} (${where})` : `    at ${where}`;
}

Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
  [`${error.name}${error.message ? `: ${error.message}` : ""}`, ...frames.map(mapFrame)].join("\n");
