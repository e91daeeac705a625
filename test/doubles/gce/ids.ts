import { randomBytes } from "node:crypto";

/** A resource id as the API writes it: a decimal uint64 in a string. */
export const numericId = () => BigInt(`0x${randomBytes(8).toString("hex")}`).toString();

/** A fingerprint guarding read-modify-write calls (labels, metadata, tags). */
export const fingerprint = () => randomBytes(8).toString("base64");

/**
 * Fingerprints are bytes fields: clients may send back the URL-safe base64 of what they got
 * (gcloud's apitools does), so they compare by their bytes.
 */
export function sameFingerprint(sent: unknown, current: unknown): boolean {
  return typeof sent === "string" && Buffer.from(sent, "base64").equals(Buffer.from(String(current), "base64"));
}

/** RFC 3339 with the offset the API uses (it reports times in US Pacific). */
export function timestamp(at = new Date()): string {
  const pacific = new Date(at.getTime() - 7 * 3600_000);
  return `${pacific.toISOString().slice(0, 23)}-07:00`;
}
