import { Deployment } from "hydro-deploy";

// args[0] senders fanned into one receiver, declared as one cluster (args[1] "cluster") or as as many
// services ("services"); prints "deployed" once all are started. bench/deploy row (d) compares them.
export default async function main([count = "8", as = "cluster"]: string[]) {
  const d = new Deployment();
  const receiver = d.service({ src: "./receiver.ts", on: d.localhost() });
  if (as === "cluster") {
    d.cluster({ name: "sender", src: "./sender.ts", on: d.localhost(), count: Number(count) }).ports.out.connect(receiver.ports.inbound);
  } else {
    for (let i = 0; i < Number(count); i++) d.service({ name: `sender-${i}`, src: "./sender.ts", on: d.localhost() }).ports.out.connect(receiver.ports.inbound);
  }
  await d.deploy();
  console.log("deployed");
}
