import { Deployment, HostPool } from "hydro-deploy";
import { clusterHosts, readCluster } from "../../test/fixtures/cluster-hosts.js";

// bench/ssh: one echo server and seven clients spread over the first `hosts` hosts of a test
// cluster (args: cluster.json, hosts, [kept]). Prints "deployed" when everything is started. With
// `kept`, the hosts are a HostPool's and the whole is deployed twice, one deployment after the
// other: the second deploy step is a redeploy on kept hosts.
export default async function main([clusterFile, hostCount, kept]: string[]) {
  const cluster = readCluster(clusterFile!);
  const pool = kept === "kept" ? new HostPool() : undefined;
  const declare = (on: Deployment | HostPool) => clusterHosts(on, cluster, 0, Number(hostCount));
  const keptHosts = pool && declare(pool);
  for (let round = 0; round < (pool ? 2 : 1); round++) {
    const d = new Deployment({ hosts: pool });
    const hosts = keptHosts ?? declare(d);
    const on = (i: number) => hosts[i % hosts.length]!;
    const server = d.service({ src: "../../examples/echo/echo_server.ts", on: on(0) });
    const clients = Array.from({ length: 7 }, (_, i) =>
      d.service({ name: `client-${i + 1}`, src: "../../examples/echo/echo_client.ts", on: on(i + 1), args: ["--count", "1"] }),
    );
    for (const client of clients) client.ports.outbound.connect(server.ports.inbound);
    server.ports.outbound.demux(clients.map((client) => client.ports.inbound));
    await d.deploy();
    console.log("deployed");
    await Promise.all(clients.map((client) => client.exitCode()));
    await d.teardown();
  }
}
