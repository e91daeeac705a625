import { ENV_SERVICE } from "./protocol.js";

/** Set by the deployer for a member of a cluster (deploy/nodes/cluster.ts): its cluster's name, its id, how many members. */
export const ENV_CLUSTER = "HYDRO_CLUSTER";
export const ENV_CLUSTER_ID = "HYDRO_CLUSTER_ID";
export const ENV_CLUSTER_SIZE = "HYDRO_CLUSTER_SIZE";

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
}

/** Who this program is: its name, and for a cluster's member its cluster, id and the cluster's size. Outside a deployment, undefined. */
export function self(): Self | undefined {
  const name = process.env[ENV_SERVICE];
  if (!name) return undefined;
  const cluster = process.env[ENV_CLUSTER] || undefined;
  return cluster === undefined
    ? { name, cluster, id: 0, size: 1 }
    : { name, cluster, id: Number(process.env[ENV_CLUSTER_ID]), size: Number(process.env[ENV_CLUSTER_SIZE]) };
}
