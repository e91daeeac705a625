import fs from "node:fs";
import path from "node:path";
import { SourceMap } from "node:module";
import { pathToFileURL } from "node:url";
import type { CpuProfile } from "./cpuprofile.js";

/**
 * Rewrites the frames that ran in a program's bundle to its sources, through the bundle's source
 * map (here, beside the bundle): the flame graph, the top functions and DevTools then name
 * `hot.ts:8`, not `TJLUWSTP.mjs:1570`. Frames the map does not cover are left as they are.
 */
export function framesToSources(profile: CpuProfile, bundle: string): void {
  let map: SourceMap;
  try {
    map = new SourceMap(JSON.parse(fs.readFileSync(`${bundle}.map`, "utf8")));
  } catch {
    return;
  }
  // On the host the bundle has another directory, but the same (content-addressed) name.
  const suffix = `/${path.basename(bundle)}`;
  for (const { callFrame } of profile.nodes) {
    if (!callFrame.url.endsWith(suffix)) continue;
    const entry = map.findEntry(callFrame.lineNumber, callFrame.columnNumber ?? 0) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined) continue;
    callFrame.url = path.isAbsolute(entry.originalSource) ? pathToFileURL(entry.originalSource).href : entry.originalSource;
    callFrame.lineNumber = entry.originalLine ?? 0;
    callFrame.columnNumber = entry.originalColumn ?? 0;
  }
}
