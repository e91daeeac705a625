import { HydroError } from "../deploy/errors.js";
import { importCompiled } from "./load-config.js";

/**
 * `--plugin <module>`: modules that register host kinds (deploy/host-kind.ts `registerHostKind`)
 * when imported. A .hydro.ts config can import a kind's module itself; a .hydro.py config, and
 * `hydro down`/`ls` for the kind's leftovers, load it with this flag. Plug-ins load before the
 * command is parsed, since the flags of `down`/`ls` come from the kinds registered.
 */
export const PLUGIN_FLAG = "--plugin";

/** The modules named by `--plugin <module>` or `--plugin=<module>` anywhere before a `--`. */
export function pluginsIn(argv: readonly string[]): string[] {
  const modules: string[] = [];
  for (let i = 0; i < argv.length && argv[i] !== "--"; i++) {
    const word = argv[i]!;
    if (word === PLUGIN_FLAG && i + 1 < argv.length) modules.push(argv[++i]!);
    else if (word.startsWith(`${PLUGIN_FLAG}=`)) modules.push(word.slice(PLUGIN_FLAG.length + 1));
  }
  return modules;
}

/** Imports each plug-in in order, as a config is compiled: its `hydro-deploy` is this CLI's. */
export async function loadPlugins(modules: readonly string[]): Promise<void> {
  for (const module of modules) {
    try {
      await importCompiled(module);
    } catch (error) {
      throw new HydroError(`${PLUGIN_FLAG} ${module}: ${(error as Error).message}`, { cause: error });
    }
  }
}
