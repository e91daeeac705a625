import { ENV_SERVICE } from "./protocol.js";

/** Set by the deployer for a member of a cluster (deploy/nodes/cluster.ts): its cluster's name, its id, how many members. */
export const ENV_CLUSTER = "HYDRO_CLUSTER";
export const ENV_CLUSTER_ID = "HYDRO_CLUSTER_ID";
export const ENV_CLUSTER_SIZE = "HYDRO_CLUSTER_SIZE";
/** Set by the deployer for every service: the address hosts of its host's network reach that host at. */
export const ENV_HOST_ADDRESS = "HYDRO_HOST_ADDRESS";

/** Who this program is in its deployment. */
export interface Self {
  /** Its name: a service's, or `<cluster>.<id>` for a cluster's member (what receivers see as `from`). */
  name: string;
  /** The cluster it is a member of; undefined for a plain service. */
  cluster: string | undefined;
  /** Its id in its cluster, 0 … size - 1 (a plain service: 0). */
  id: number;
  /** How many members its cluster has (a plain service: 1). */
  size: number;
  /**
   * The address its host is reached at by the other hosts of its network: where to listen for
   * clients of its own (127.0.0.1 on localhost, an SSH host's address, a cloud VM's private address).
   */
  address: string;
}

/** Who this program is: its name, its host's address, and for a cluster's member its cluster, id and the cluster's size. Outside a deployment, undefined. */
export function self(): Self | undefined {
  const name = process.env[ENV_SERVICE];
  if (!name) return undefined;
  const cluster = process.env[ENV_CLUSTER] || undefined;
  const address = process.env[ENV_HOST_ADDRESS] ?? "127.0.0.1";
  return cluster === undefined
    ? { name, cluster, id: 0, size: 1, address }
    : { name, cluster, id: Number(process.env[ENV_CLUSTER_ID]), size: Number(process.env[ENV_CLUSTER_SIZE]), address };
}
