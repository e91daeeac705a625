import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bundle } from "../deploy/bundle.js";
import { HydroError, oneLinePerProblem } from "../deploy/errors.js";

export type ConfigMain = (args: string[]) => unknown;

/**
 * Compiles a *.hydro.ts config in-process with esbuild (cached by its inputs) and imports it.
 * Source maps are on, so errors and callsites point at the user's .ts lines.
 */
export async function loadConfig(file: string): Promise<ConfigMain> {
  const entry = path.resolve(file);
  if (!fs.statSync(entry, { throwIfNoEntry: false })?.isFile()) throw new HydroError(`config file not found: ${file}`);
  // A Python config runs in python3, talking to this process over the bridge (docs/python-bridge.md).
  if (entry.endsWith(".py")) return (await import("./python/python-config.js")).pythonConfig(file);
  const module = await importCompiled(file);
  if (typeof module.default !== "function") {
    throw new HydroError(`${file} must export a default function: export default async function main(args: string[]) { … }`);
  }
  return module.default as ConfigMain;
}

/**
 * Compiles a TS/JS module as a config is compiled (its `hydro-deploy` is the running CLI's own
 * module) and imports it: a config, or a plug-in (cli/plugins.ts).
 */
export async function importCompiled(file: string): Promise<{ default?: unknown }> {
  const entry = path.resolve(file);
  if (!fs.statSync(entry, { throwIfNoEntry: false })?.isFile()) throw new HydroError(`file not found: ${file}`);
  let compiled;
  try {
    compiled = await bundle(entry, "config");
  } catch (error) {
    throw new HydroError(`cannot compile ${file}: ${oneLinePerProblem((error as Error).message)}`);
  }
  process.setSourceMapsEnabled(true);
  return (await import(pathToFileURL(compiled.path).href)) as { default?: unknown };
}
