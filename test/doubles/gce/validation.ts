// Field rules the API enforces on inserts (README §GCE names and labels).
import { invalidField } from "./errors.js";

const NAME = /^(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?|[1-9][0-9]{0,19})$/;
const NAME_SOURCE = "(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?|[1-9][0-9]{0,19})";
// Keys start with a lowercase letter; keys and values hold lowercase letters, digits, '_' and '-'
// (international letters are allowed too), at most 63 characters.
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const MAX_LABELS = 64;
const METADATA_KEY = /^[a-zA-Z0-9_-]{1,128}$/;
const REQUEST_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function checkName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw invalidField("resource.name", String(name ?? ""), `Must be a match of regex '${NAME_SOURCE}'`);
  }
  return name;
}

export function checkLabels(labels: unknown): Record<string, string> {
  if (labels === undefined) return {};
  if (typeof labels !== "object" || labels === null || Array.isArray(labels))
    throw invalidField("resource.labels", JSON.stringify(labels), "Labels must be a map.");
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) throw invalidField("resource.labels", `${entries.length} labels`, `At most ${MAX_LABELS} labels are allowed.`);
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) {
      throw invalidField(
        "resource.labels",
        key,
        `Label key '${key}' violates format constraints. The key must start with a lowercase character, can only contain lowercase letters, numeric characters, underscores and dashes. The key can be at most 63 characters long. International characters are allowed.`,
      );
    }
    if (typeof value !== "string" || !LABEL_VALUE.test(value)) {
      throw invalidField(
        "resource.labels",
        String(value),
        `Label value '${String(value)}' violates format constraints. The value can only contain lowercase letters, numeric characters, underscores and dashes. The value can be at most 63 characters long. International characters are allowed.`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export interface MetadataItem {
  readonly key: string;
  readonly value: string;
}

export function checkMetadataItems(items: unknown): MetadataItem[] {
  if (items === undefined) return [];
  if (!Array.isArray(items)) throw invalidField("resource.metadata.items", JSON.stringify(items), "Metadata items must be a list.");
  const seen = new Set<string>();
  return items.map((item: { key?: unknown; value?: unknown }) => {
    const key = String(item?.key ?? "");
    if (!METADATA_KEY.test(key)) throw invalidField("resource.metadata.items.key", key, "Must be a match of regex '[a-zA-Z0-9-_]{1,128}'");
    if (seen.has(key)) throw invalidField("resource.metadata.items", key, `Duplicate metadata key '${key}'.`);
    seen.add(key);
    return { key, value: String(item.value ?? "") };
  });
}

/** The idempotency key of a mutating call, when given. */
export function checkRequestId(requestId: string | null): string | undefined {
  if (requestId === null) return undefined;
  if (!REQUEST_ID.test(requestId) || /^[0-]+$/.test(requestId)) {
    throw invalidField(
      "requestId",
      requestId,
      "The request id must be a valid UUID with the exception that zero UUID is not supported (00000000-0000-0000-0000-000000000000).",
    );
  }
  return requestId.toLowerCase();
}
