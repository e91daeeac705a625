// IPv4 ranges of networks, subnetworks and firewall rules.
import { invalidField } from "./errors.js";

export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

export function parseCidr(text: unknown, field: string): Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(String(text));
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const prefix = Number(match?.[5]);
  if (!match || octets.some((octet) => octet > 255) || prefix > 32) throw invalidField(field, String(text), `Invalid IPCidrRange: ${String(text)}`);
  const base = octets.reduce((value, octet) => value * 256 + octet, 0);
  return { base: base - (base % 2 ** (32 - prefix)), prefix };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const size = (range: Cidr) => 2 ** (32 - range.prefix);
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** The n-th address of a range (0 is the network's own address). */
export function addressInRange(range: Cidr, n: number): string {
  if (n >= 2 ** (32 - range.prefix)) throw new RangeError(`range /${range.prefix} has no address number ${n}`);
  const value = range.base + n;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}
