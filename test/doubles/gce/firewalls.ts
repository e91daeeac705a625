// firewalls: rules on a network. Firewalls carry no labels in v1 (README §GCE firewalls).
import { parseCidr } from "./cidr.js";
import type { CollectionSpec } from "./collection.js";
import { invalidField } from "./errors.js";
import { identity } from "./identity.js";
import type { GceState } from "./state.js";
import type { Json } from "./store.js";

const DIRECTIONS = ["INGRESS", "EGRESS"];

export function firewallsSpec(state: GceState): CollectionSpec {
  return {
    collection: "firewalls",
    kind: "compute#firewall",
    scope: "global",
    async build(body, placement) {
      const network = state.network(body.network, placement.project);
      const rules = { allowed: listOf<Json>(body.allowed), denied: listOf<Json>(body.denied) };
      if ((rules.allowed.length === 0) === (rules.denied.length === 0)) {
        throw invalidField("resource", "", "Exactly one of 'allowed' or 'denied' must be specified.");
      }
      for (const rule of [...rules.allowed, ...rules.denied]) {
        if (typeof rule.IPProtocol !== "string") throw invalidField("resource.allowed[0].IPProtocol", "", "Required field 'IPProtocol' not specified.");
      }
      const direction = String(body.direction ?? "INGRESS");
      if (!DIRECTIONS.includes(direction)) throw invalidField("resource.direction", direction, "Must be one of INGRESS, EGRESS.");
      const priority = Number(body.priority ?? 1000);
      if (!Number.isInteger(priority) || priority < 0 || priority > 65535)
        throw invalidField("resource.priority", String(body.priority), "Must be between 0 and 65535.");
      const sources = {
        sourceRanges: listOf(body.sourceRanges),
        sourceTags: listOf(body.sourceTags),
        sourceServiceAccounts: listOf(body.sourceServiceAccounts),
      };
      // An ingress rule that names no source applies to every source.
      if (direction === "INGRESS" && Object.values(sources).every((list) => list.length === 0)) sources.sourceRanges = ["0.0.0.0/0"];
      for (const range of [...sources.sourceRanges, ...listOf(body.destinationRanges)]) parseCidr(range, "resource.sourceRanges");
      return {
        ...identity("compute#firewall", placement, state.links, body),
        network: network.selfLink,
        priority,
        direction,
        ...nonEmpty({ ...sources, destinationRanges: listOf(body.destinationRanges), targetTags: listOf(body.targetTags), ...rules }),
        logConfig: { enable: false },
        disabled: body.disabled === true,
      };
    },
  };
}

function listOf<T = string>(value: unknown): T[] {
  return (Array.isArray(value) ? value : []) as T[];
}

/** The API leaves empty lists out of a resource. */
function nonEmpty(lists: Record<string, unknown[]>): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(lists).filter(([, list]) => list.length > 0));
}
