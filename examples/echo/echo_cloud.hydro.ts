import { parseArgs } from "node:util";
import { Deployment } from "hydro-deploy";

/**
 * The echo example on two cloud VMs, created at deploy() and deleted at the end (and, if this
 * deployer dies, powered off by their dead-man switch; `hydro down` removes the rest):
 *
 *   hydro run examples/echo/echo_cloud.hydro.ts -- --gcp <project> [--zone us-central1-a] [--type e2-small]
 *   hydro run examples/echo/echo_cloud.hydro.ts -- --aws <region> [--type t3.micro] [--subnet subnet-…]
 *
 * Also: --count N (echoes), --user U, --private (reach the VMs at their private addresses: the
 * deployer is in their network), --image (an AMI id on AWS, an image path on GCP).
 */
export default async function main(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      gcp: { type: "string" },
      aws: { type: "string" },
      zone: { type: "string", default: "us-central1-a" },
      type: { type: "string" },
      subnet: { type: "string" },
      user: { type: "string" },
      image: { type: "string" },
      private: { type: "boolean", default: false },
      count: { type: "string", default: "10" },
    },
  });
  if (!values.gcp === !values.aws) throw new Error("say where: --gcp <project> or --aws <region>");
  const d = new Deployment();
  const common = { publicIp: !values.private, ...(values.user ? { user: values.user } : {}) };
  const machine = (name: string) =>
    values.gcp
      ? d.gcp({
          name,
          project: values.gcp,
          zone: values.zone,
          machineType: values.type ?? "e2-small",
          ...common,
          ...(values.image ? { image: values.image } : {}),
        })
      : d.aws({
          name,
          region: values.aws!,
          instanceType: values.type ?? "t3.micro",
          ...common,
          ...(values.image ? { ami: values.image } : {}),
          ...(values.subnet ? { subnet: values.subnet } : {}),
        });
  const serverMachine = machine("server-machine");
  const clientMachine = machine("client-machine");
  const server = d.service({ name: "echo_server", src: "./echo_server.ts", on: serverMachine });
  const client = d.service({ name: "echo_client", src: "./echo_client.ts", on: clientMachine, args: ["--count", values.count] });
  client.ports.outbound.connect(server.ports.inbound);
  server.ports.outbound.connect(client.ports.inbound);

  await d.deploy();
  for await (const line of client.stdout()) console.log(`client says: ${line}`);
  const code = await client.exitCode();
  if (code !== 0) throw new Error(`echo_client exited with code ${code}`);
}
