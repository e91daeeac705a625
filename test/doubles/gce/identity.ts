import type { Placement } from "./collection.js";
import { numericId, timestamp } from "./ids.js";
import type { Links } from "./links.js";
import type { Json } from "./store.js";

/** The fields every Compute resource starts with. */
export function identity(kind: string, placement: Placement, links: Links, body: Json): Json {
  return {
    kind,
    id: numericId(),
    creationTimestamp: timestamp(),
    name: placement.name,
    ...(typeof body.description === "string" ? { description: body.description } : {}),
    selfLink: links.url(placement.path),
  };
}
