// Paging of list calls: maxResults (1…500, default 500) and an opaque pageToken.
import { invalidField } from "./errors.js";

const MAX_RESULTS = 500;

export function page<T>(items: readonly T[], query: URLSearchParams): { items: T[]; nextPageToken?: string } {
  const maxResults = query.has("maxResults") ? Number(query.get("maxResults")) : MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > MAX_RESULTS) {
    throw invalidField("maxResults", String(query.get("maxResults")), `Must be less than or equal to ${MAX_RESULTS}`);
  }
  const token = query.get("pageToken");
  const start = token ? Number(Buffer.from(token, "base64url").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidField("pageToken", String(token), "Invalid page token.");
  const end = start + (maxResults || MAX_RESULTS);
  const next = end < items.length ? { nextPageToken: Buffer.from(String(end)).toString("base64url") } : {};
  return { items: items.slice(start, end), ...next };
}
