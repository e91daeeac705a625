import { execa } from "execa";

/** A /24 inside 10.0.0.0/8: .1 is the bridge (the deployer's address), hosts get .2 upwards. */
export interface Subnet {
  /** "10.213.7.0/24" */
  readonly cidr: string;
  readonly prefixLength: 24;
  readonly bridgeAddress: string;
  hostAddress(index: number): string;
}

export const MAX_HOSTS = 253;

// Far from the 10.x ranges clouds and VPNs commonly hand out (10.0/16, 10.128/9 on GCP, …).
const SECOND_OCTETS = { from: 200, to: 254 };
const ATTEMPTS = 200;

export function subnet(secondOctet: number, thirdOctet: number): Subnet {
  const base = `10.${secondOctet}.${thirdOctet}`;
  return {
    cidr: `${base}.0/24`,
    prefixLength: 24,
    bridgeAddress: `${base}.1`,
    hostAddress(index) {
      if (!Number.isInteger(index) || index < 1 || index > MAX_HOSTS) {
        throw new RangeError(`host index ${index} is outside 1..${MAX_HOSTS}`);
      }
      return `${base}.${index + 1}`;
    },
  };
}

/** A random /24 that overlaps none of `inUse` (CIDRs; the default route is ignored). */
export function pickFreeSubnet(inUse: readonly string[], random: () => number = Math.random): Subnet {
  const taken = inUse.map(parseCidr).filter((range) => range.size < 2 ** 32);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const second = SECOND_OCTETS.from + Math.floor(random() * (SECOND_OCTETS.to - SECOND_OCTETS.from + 1));
    const third = Math.floor(random() * 256);
    const candidate = subnet(second, third);
    const range = parseCidr(candidate.cidr);
    if (!taken.some((other) => overlaps(range, other))) return candidate;
  }
  throw new Error(
    `no free /24 in 10.${SECOND_OCTETS.from}.0.0–10.${SECOND_OCTETS.to}.255.255 after ${ATTEMPTS} tries; ` + `routes in use: ${inUse.join(", ")}`,
  );
}

/** Every IPv4 destination the root namespace routes, in any table: other clusters' bridges included. */
export async function routedPrefixes(): Promise<string[]> {
  const { stdout } = await execa("ip", ["-j", "-4", "route", "show", "table", "all"]);
  const routes = JSON.parse(stdout) as { dst?: string }[];
  return routes.flatMap((route) => (route.dst && route.dst !== "default" ? [route.dst] : []));
}

interface AddressRange {
  readonly start: number;
  readonly size: number;
}

export function parseCidr(cidr: string): AddressRange {
  const [address, lengthText = "32"] = cidr.split("/");
  const octets = (address ?? "").split(".").map(Number);
  const length = Number(lengthText);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255) || !(length >= 0 && length <= 32)) {
    throw new Error(`not an IPv4 CIDR: ${cidr}`);
  }
  const value = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - length);
  return { start: value - (value % size), size };
}

export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.start < b.start + b.size && b.start < a.start + a.size;
}
