// A moto VPC and subnet on the test cluster's /24, so the private addresses moto hands out are
// addresses a booted namespace host can take on the cluster's bridge. README §EC2 boot agent.
import { CreateSubnetCidrReservationCommand, CreateSubnetCommand, CreateVpcCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { type ClusterAddresses, staticAddresses } from "../../e2e/cluster/booted-addresses.js";

export interface ClusterSubnet {
  readonly vpcId: string;
  readonly subnetId: string;
}

/**
 * Creates, in moto, a VPC and a subnet whose CIDR is the cluster's /24. moto hands out a subnet's
 * addresses in order from .4 (.1–.3 are AWS-reserved, like the real ones), which would reach the
 * static hosts (.2 upwards) from host3 on; so the bridge's and every static host's address are
 * reserved ("explicit" subnet CIDR reservations, which moto skips and EC2 never auto-assigns).
 */
export async function createClusterSubnet(ec2: EC2Client, cluster: ClusterAddresses): Promise<ClusterSubnet> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: cluster.subnet }));
  const vpcId = vpc.Vpc?.VpcId;
  if (!vpcId) throw new Error("CreateVpc answered without a VpcId");
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cluster.subnet }));
  const subnetId = subnet.Subnet?.SubnetId;
  if (!subnetId) throw new Error("CreateSubnet answered without a SubnetId");
  for (const address of staticAddresses(cluster)) {
    await ec2.send(new CreateSubnetCidrReservationCommand({ SubnetId: subnetId, Cidr: `${address}/32`, ReservationType: "explicit" }));
  }
  return { vpcId, subnetId };
}
