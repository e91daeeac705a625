import { readAllStates } from "../deploy/state/state-file.js";
import { cloudProvider } from "../deploy/cloud/provider.js";
import { isAlive } from "../deploy/localhost/containment.js";

export interface LsOptions {
  /** Also ask these AWS regions, and these GCP projects, what carries the hydro-deployment tag or label. */
  aws?: string[];
  gcp?: string[];
}

/**
 * `hydro ls`: the deployments recorded in `.hydro/state` (whether their deployer still runs, their
 * age, what they hold) and, for the regions given, what the cloud says carries the tag, including
 * deployments no state file here knows of.
 */
export async function ls(options: LsOptions): Promise<number> {
  const states = readAllStates();
  const lines: string[] = [];
  for (const state of states) {
    const status = isAlive(state.pid) ? `running (deployer pid ${state.pid})` : "deployer gone: `hydro down` deletes it";
    lines.push(`${state.deployment}  ${state.name}  ${age(state.createdAt)} old  ${status}`);
    for (const resource of state.resources) lines.push(`  ${resource.provider} ${resource.kind} ${resource.id ?? "(being created)"}  ${resource.key}`);
  }
  const known = new Set(states.map((state) => state.deployment));
  const scopes = [...(options.aws ?? []).map((scope) => ({ provider: "aws", flag: "--aws", scope })), ...(options.gcp ?? []).map((scope) => ({ provider: "gcp", flag: "--gcp", scope }))];
  for (const { provider, flag, scope } of scopes) {
    for (const resource of await (await cloudProvider(provider)).findTagged(scope)) {
      const where = known.has(resource.deployment) ? "recorded here" : `NOT recorded here: \`hydro down --all ${flag} ${scope}\` deletes it`;
      lines.push(`${provider} ${scope}: ${resource.kind} ${resource.id ?? "?"} of deployment ${resource.deployment}  (${where})`);
    }
  }
  console.log(lines.length ? lines.join("\n") : "no deployments recorded" + (scopes.length ? ", and nothing tagged where asked" : ""));
  return 0;
}

function age(since: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(since)) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
