import { Deployment } from "hydro-deploy";
import { clusterHosts, readCluster } from "../../test/fixtures/cluster-hosts.js";

// bench/cloud: `count` services, one per host: EC2 VMs (`-- aws <count> <subnet>`, on moto and
// the boot agent) or the first `count` hosts of a test cluster (`-- ssh <count> <cluster.json>`).
export default async function main([kind, count, where]: string[]) {
  const d = new Deployment();
  const hosts =
    kind === "aws"
      ? Array.from({ length: Number(count) }, (_, i) =>
          d.aws({ name: `vm-${i + 1}`, region: "us-east-1", instanceType: "t3.micro", ami: "ami-12c6146b", user: "root", publicIp: false, subnet: where! }),
        )
      : clusterHosts(d, readCluster(where!), 0, Number(count));
  const [first, ...rest] = hosts.map((on, i) => d.service({ name: `relay-${i + 1}`, src: "../../test/fixtures/relay.ts", on }));
  // A chain, so every service is wired and started: relay-2 → relay-1, relay-3 → relay-1, …
  for (const relay of rest) relay.ports.outbound.connect(first!.ports.inbound);
  await d.deploy();
}
