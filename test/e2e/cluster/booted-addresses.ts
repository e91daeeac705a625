// Which addresses of a cluster's /24 a booted host may take: every host address but the bridge's
// and the static hosts'. Shared by bootHost and by whatever plays a cloud's address allocator.
import { parseCidr } from "./subnet.js";

/** The part of a cluster its booted hosts' addresses depend on. */
export interface ClusterAddresses {
  /** "10.x.y.0/24" */
  readonly subnet: string;
  /** The bridge's address. */
  readonly deployerAddress: string;
  readonly hosts: readonly { readonly address: string }[];
}

/** The bridge's and every static host's address: never a booted host's. */
export function staticAddresses(cluster: ClusterAddresses): string[] {
  return [cluster.deployerAddress, ...cluster.hosts.map((host) => host.address)];
}

/** Whether `address` lies in the cluster's subnet at all. */
export function inClusterSubnet(cluster: ClusterAddresses, address: string): boolean {
  const subnet = parseCidr(cluster.subnet);
  const value = parseCidr(`${address}/32`).start;
  return value >= subnet.start && value < subnet.start + subnet.size;
}

/** Every address a booted host may take, lowest first. */
export function bootableAddresses(cluster: ClusterAddresses): string[] {
  const subnet = parseCidr(cluster.subnet);
  const taken = new Set(staticAddresses(cluster));
  const addresses = [];
  // .0 is the network's and the last one the broadcast address.
  for (let offset = 1; offset < subnet.size - 1; offset++) {
    const address = dotted(subnet.start + offset);
    if (!taken.has(address)) addresses.push(address);
  }
  return addresses;
}

/** `address`'s offset in the cluster's subnet; throws saying why when a booted host may not take it. */
export function bootableOffset(cluster: ClusterAddresses, address: string): number {
  const subnet = parseCidr(cluster.subnet);
  const value = parseCidr(`${address}/32`).start;
  const offset = value - subnet.start;
  if (offset <= 0 || offset >= subnet.size - 1) throw new Error(`${address} is not a host address of the cluster's subnet ${cluster.subnet}`);
  if (staticAddresses(cluster).some((other) => parseCidr(`${other}/32`).start === value))
    throw new Error(`${address} is the cluster's bridge or one of its static hosts`);
  return offset;
}

function dotted(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}
