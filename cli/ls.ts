import { readAllStates, type ResourceRecord } from "../deploy/state/state-file.js";
import type { TaggedResource } from "../deploy/cloud/provider.js";
import { cleanupOf, hostKinds } from "../deploy/host-kind.js";
import { isAlive } from "../deploy/process-alive.js";
import { age, vmSummary } from "./vm-summary.js";

export interface LsOptions {
  /** Per host kind with a cleanup (`--aws <regions…>`, `--gcp <projects…>`, a plug-in's): also ask these scopes what carries the hydro-deployment tag. */
  scopes: Record<string, string[]>;
}

interface Scope {
  provider: string;
  flag: string;
  scope: string;
}

/** Where a recorded resource lives, as `findTagged` is asked: an AWS region, a GCP project; undefined if its kind is not registered here. */
function scopeOf(resource: ResourceRecord): Scope | undefined {
  const cleanup = hostKinds().find((kind) => kind.name === resource.provider)?.cleanup;
  const scope = cleanup?.scopeOf(resource);
  return scope === undefined ? undefined : { provider: resource.provider, flag: `--${resource.provider}`, scope };
}

const sameResource = (record: Omit<ResourceRecord, "recordedAt">, found: TaggedResource) =>
  record.id !== undefined && record.provider === found.provider && record.kind === found.kind && record.id === found.id;

/**
 * `hydro ls`: the deployments recorded in `.hydro/state` (whether their deployer still runs, their
 * age, what they hold) and what the cloud says of them: each VM's machine type, state, age and
 * what it is billed for. The regions and projects they use are asked, with those given; what
 * carries the tag there but is recorded nowhere here is listed too. A cloud that cannot be asked
 * is one error line, and exit 1.
 */
export async function ls(options: LsOptions): Promise<number> {
  const states = readAllStates();
  const asked = new Map<string, Scope>();
  const ask = (scope: Scope | undefined) => scope && asked.set(`${scope.provider} ${scope.scope}`, scope);
  for (const state of states) for (const resource of state.resources) ask(scopeOf(resource));
  for (const [provider, scopes] of Object.entries(options.scopes)) for (const scope of scopes) ask({ provider, flag: `--${provider}`, scope });

  const lookups = await Promise.all(
    [...asked.entries()].map(async ([name, scope]) => {
      try {
        return { name, scope, found: await (await cleanupOf(scope.provider).provider()).findTagged(scope.scope) };
      } catch (error) {
        console.error(`error: ${(error as Error).message}`);
        return { name, scope, found: undefined };
      }
    }),
  );
  const answered = new Map(lookups.map((lookup) => [lookup.name, lookup.found]));

  const lines: string[] = [];
  const shown = new Set<TaggedResource>();
  for (const state of states) {
    const status = isAlive(state.pid) ? `running (deployer pid ${state.pid})` : "deployer gone: `hydro down` deletes it";
    lines.push(`${state.deployment}  ${state.name}  ${age(state.createdAt)} old  ${status}`);
    for (const resource of state.resources) {
      const scope = scopeOf(resource);
      const found = scope && answered.get(`${scope.provider} ${scope.scope}`);
      const live = found?.find((candidate) => sameResource(resource, candidate));
      if (live) shown.add(live);
      const gone = resource.kind === "instance" && resource.id !== undefined && found !== undefined && !live;
      const cloud = live?.vm ? `  ${vmSummary(live.vm)}` : gone ? `  not live in ${scope!.scope} (terminated or deleted): not billed` : "";
      lines.push(`  ${resource.provider} ${resource.kind} ${resource.id ?? "(being created)"}  ${resource.key}${cloud}`);
    }
  }
  const known = new Set(states.map((state) => state.deployment));
  for (const { scope, found } of lookups) {
    for (const resource of found ?? []) {
      if (shown.has(resource)) continue;
      const where = known.has(resource.deployment)
        ? "its deployment is recorded here: `hydro down` deletes it"
        : `NOT recorded here: \`hydro down --all ${scope.flag} ${scope.scope}\` deletes it`;
      const cloud = resource.vm ? `  ${vmSummary(resource.vm)}` : "";
      lines.push(`${scope.provider} ${scope.scope}: ${resource.kind} ${resource.id ?? "?"} of deployment ${resource.deployment}${cloud}  (${where})`);
    }
  }
  console.log(lines.length ? lines.join("\n") : "no deployments recorded" + (asked.size ? ", and nothing tagged where asked" : ""));
  return lookups.every((lookup) => lookup.found) ? 0 : 1;
}
