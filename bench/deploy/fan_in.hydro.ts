import { Deployment } from "hydro-deploy";

// args[0] senders, all on localhost, fanned into one receiver; prints "deployed" once all are started.
export default async function main(args: string[]) {
  const d = new Deployment();
  const receiver = d.service({ src: "./receiver.ts", on: d.localhost() });
  for (let i = 0; i < Number(args[0] ?? 100); i++) {
    d.service({ name: `sender-${i}`, src: "./sender.ts", on: d.localhost() }).ports.out.connect(receiver.ports.inbound);
  }
  await d.deploy();
  console.log("deployed");
}
