import { after, before } from "node:test";
import { startCluster, type Cluster, type StartClusterOptions } from "./cluster.js";

/**
 * A test cluster for the describe() block this is called in: started before its tests, stopped
 * after them. Returns how to get it (it exists once the tests run).
 */
export function suiteCluster(options: StartClusterOptions): () => Cluster {
  let cluster: Cluster | undefined;
  before(async () => {
    cluster = await startCluster(options);
  });
  after(async () => {
    await cluster?.stop();
  });
  return () => cluster!;
}
