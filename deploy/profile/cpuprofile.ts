/**
 * V8's CPU profile (`node --cpu-prof`, Chrome DevTools' and speedscope's format): a call tree of
 * nodes, and the samples, each the node that was running and the time since the previous one.
 */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** µs since the previous sample (the first: since startTime). */
  timeDeltas?: number[];
}

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}

/** A function as people name it: `name file:line` (the line 1-based; the file's last path segment). */
export function functionLabel({ callFrame }: ProfileNode): string {
  const name = callFrame.functionName || "(anonymous)";
  if (!callFrame.url) return name;
  return `${name} ${callFrame.url.slice(callFrame.url.lastIndexOf("/") + 1)}:${callFrame.lineNumber + 1}`;
}

/** Each node's own time in µs: the time deltas of the samples taken in it. */
export function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  const { samples = [], timeDeltas = [] } = profile;
  for (let i = 0; i < samples.length; i++) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + Math.max(0, timeDeltas[i] ?? 0));
  return self;
}

export interface HotFunction {
  label: string;
  selfMs: number;
  /** Of the profile's whole time. */
  share: number;
}

/** The functions that ran longest themselves (their nodes' self times summed), V8's `(idle)` left out. */
export function topFunctions(profile: CpuProfile, count: number): HotFunction[] {
  const self = selfTimes(profile);
  const total = [...self.values()].reduce((sum, us) => sum + us, 0);
  const byLabel = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id);
    if (!us || node.callFrame.functionName === "(idle)") continue;
    const label = functionLabel(node);
    byLabel.set(label, (byLabel.get(label) ?? 0) + us);
  }
  return [...byLabel]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([label, us]) => ({ label, selfMs: us / 1000, share: total > 0 ? us / total : 0 }));
}

/** What JSON.parse gave, checked enough to be walked as a profile. */
export function asCpuProfile(value: unknown, from: string): CpuProfile {
  const profile = value as CpuProfile;
  if (
    typeof profile !== "object" ||
    profile === null ||
    !Array.isArray(profile.nodes) ||
    profile.nodes.some((node) => typeof node?.id !== "number" || !node.callFrame)
  )
    throw new Error(`${from} is not a V8 CPU profile (no nodes with ids and call frames)`);
  return profile;
}
