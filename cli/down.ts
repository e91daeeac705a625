import readline from "node:readline/promises";
import { readAllStates, rewriteState, type ResourceRecord, type StateContents } from "../deploy/state/state-file.js";
import { cleanupOf, hostKinds } from "../deploy/host-kind.js";
import { HydroError } from "../deploy/errors.js";
import { isAlive } from "../deploy/process-alive.js";

export interface DownOptions {
  /** Also what carries the hydro-deployment tag in the scopes given, state file or not. */
  all?: boolean;
  /** Per host kind with a cleanup (`--aws <regions…>`, `--gcp <projects…>`, a plug-in's): where --all searches. */
  scopes: Record<string, string[]>;
  yes?: boolean;
}

type Found = Omit<ResourceRecord, "recordedAt"> & { deployment: string };

/** A usage problem (`--all` without a region): exit 2. */
export class DownUsageError extends HydroError {}

/**
 * `hydro down [id…]`: deletes what the state files record (every deployment's without ids, except
 * those whose deployer is still running), kind by kind in dependency order, each kind in parallel;
 * with `--all`, also everything tagged `hydro-deployment` in the given regions. Prints one line per
 * resource; a resource that could not be deleted stays recorded and fails the command.
 */
export async function down(ids: string[], options: DownOptions): Promise<number> {
  const scopes = Object.entries(options.scopes).flatMap(([provider, scopes]) => scopes.map((scope) => ({ provider, scope })));
  const flags = hostKinds().flatMap((kind) => (kind.cleanup ? [`--${kind.name} <${kind.cleanup.scopes}…>`] : []));
  if (options.all && scopes.length === 0) throw new DownUsageError(`down --all needs where to search: ${flags.join(" and/or ")}`);
  if (!options.all && scopes.length > 0)
    throw new DownUsageError(
      `${Object.keys(options.scopes)
        .map((kind) => `--${kind}`)
        .join(" and ")} search by tag, which only --all does: add --all`,
    );

  const states = readAllStates().filter((state) => ids.length === 0 || ids.includes(state.deployment));
  for (const id of ids)
    if (!states.some((state) => state.deployment === id) && !options.all) console.log(`no state file for deployment ${id}: nothing recorded`);
  const chosen: StateContents[] = [];
  for (const state of states) {
    // Its deployer is still at work (and will tear down itself): only an explicit id takes it from under it.
    if (ids.length === 0 && isAlive(state.pid))
      console.log(`skipped deployment ${state.deployment}: its deployer (pid ${state.pid}) is still running; name it to delete anyway`);
    else chosen.push(state);
  }
  const found = new Map<string, Found>();
  const identity = (resource: Found) => `${resource.provider} ${resource.kind} ${resource.id ?? resource.key}`;
  for (const state of chosen)
    for (const resource of state.resources) found.set(identity({ ...resource, deployment: state.deployment }), { ...resource, deployment: state.deployment });

  if (options.all) {
    const tagged = (await Promise.all(scopes.map(async ({ provider, scope }) => (await cleanupOf(provider).provider()).findTagged(scope)))).flat();
    const wanted = tagged.filter((resource) => ids.length === 0 || ids.includes(resource.deployment));
    // A recorded resource with an id is the same as the tagged one: keep the record's entry.
    const recordedIds = new Set([...found.values()].flatMap((resource) => (resource.id ? [`${resource.provider} ${resource.kind} ${resource.id}`] : [])));
    for (const resource of wanted) if (!recordedIds.has(identity(resource))) found.set(identity(resource), resource);
    if (found.size > 0 && !options.yes) {
      for (const resource of found.values()) console.log(`  ${describe(resource)}`);
      if (!(await confirm(`delete these ${found.size} resources?`))) {
        console.log("nothing deleted");
        return 1;
      }
    }
  }
  if (found.size === 0) {
    console.log("nothing to delete");
    return 0;
  }

  const failed = new Set<Found>();
  const byProvider = new Map<string, Found[]>();
  for (const resource of found.values()) byProvider.set(resource.provider, [...(byProvider.get(resource.provider) ?? []), resource]);
  for (const [name, resources] of byProvider) {
    const provider = await cleanupOf(name).provider();
    const kinds = [...new Set([...provider.deletionOrder, ...resources.map((resource) => resource.kind)])];
    for (const kind of kinds) {
      await Promise.all(
        resources
          .filter((resource) => resource.kind === kind)
          .map(async (resource) => {
            try {
              await provider.deleteResource(resource);
              console.log(`deleted ${describe(resource)}`);
            } catch (error) {
              failed.add(resource);
              console.error(`error: could not delete ${describe(resource)}: ${(error as Error).message}`);
            }
          }),
      );
    }
  }
  // What was deleted leaves its state file; what failed stays for the next `hydro down`.
  const stillThere = (state: StateContents, resource: ResourceRecord) =>
    [...failed].some((other) => other.deployment === state.deployment && other.key === resource.key);
  for (const state of chosen) rewriteState({ ...state, resources: state.resources.filter((resource) => stillThere(state, resource)) });
  console.log(`deleted ${found.size - failed.size} of ${found.size} resources`);
  return failed.size === 0 ? 0 : 1;
}

const describe = (resource: Found) =>
  `${resource.provider} ${resource.kind} ${resource.id ?? `(${resource.token ?? "no id yet"})`} ${resource.key} of deployment ${resource.deployment}`;

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new DownUsageError(`${question} Not asked, stdin is not a terminal: pass --yes to delete without asking`);
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}
