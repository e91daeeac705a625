import fs from "node:fs";
import type { Deployment } from "hydro-deploy";

/** The command-line options the KVS's configs share (kvs.hydro.ts, faults.hydro.ts). */

export function integerOption(flag: string, text: string | undefined, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`kvs: ${flag} must be an integer from ${min} to ${max}, got '${text}'`);
  return value;
}

/** `--hosts cluster.json`: the hosts of a file in the format `npm run cluster:up` prints (they share one network), else this machine. */
export function storeHosts(d: Deployment, file: string | undefined) {
  if (file === undefined) return [{ on: d.localhost(), address: "127.0.0.1" }];
  const cluster = JSON.parse(fs.readFileSync(file, "utf8")) as {
    privateKeyPath: string;
    hosts: Array<{ name: string; address: string; user: string; hostPublicKey: string }>;
  };
  if (!Array.isArray(cluster.hosts) || cluster.hosts.length === 0) throw new Error(`kvs: ${file} lists no hosts`);
  return cluster.hosts.map((host) => ({
    on: d.ssh({ host: host.address, user: host.user, privateKeyPath: cluster.privateKeyPath, hostKey: host.hostPublicKey, name: host.name, network: "kvs" }),
    address: host.address,
  }));
}
