import { Deployment } from "hydro-deploy";
import type { SimpleRequest } from "./simple-kvs-messages.js";

/**
 * The talk's KVS (simple_kvs.hf) deployed and driven from here: `hydro run examples/kvs/simple_kvs.hydro.ts`.
 * Puts two keys, gets them and one never put, and prints what came back.
 */
export default async function main() {
  const d = new Deployment({ name: "simple-kvs" });
  const kvs = d.service({ src: "./simple_kvs.hf", on: d.localhost() });
  const me = d.external({ name: "client" });
  me.ports.requests.connect(kvs.ports.requests);
  kvs.ports.responses.connect(me.ports.responses);
  await d.deploy();

  const send = (request: SimpleRequest) => me.ports.requests.send(request);
  send({ kind: "put", key: "apple", value: "red" });
  send({ kind: "put", key: "banana", value: "yellow" });
  await me.ports.requests.flush();
  // Puts and gets sent together may meet in one tick; a tick later the puts are in the 'static side.
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const key of ["apple", "banana", "cherry"]) send({ kind: "get", key });

  const answers: string[] = [];
  const responses = me.ports.responses[Symbol.asyncIterator]();
  const quiet = () => new Promise<"quiet">((resolve) => setTimeout(() => resolve("quiet"), 500));
  for (;;) {
    const next = await Promise.race([responses.next(), quiet()]);
    if (next === "quiet" || next.done) break;
    answers.push(`${next.value.data.key} = ${next.value.data.value}`);
  }
  console.log(`answers: ${answers.sort().join(", ")}; cherry, never put, got none`);
  if (answers.sort().join() !== "apple = red,banana = yellow") throw new Error(`simple_kvs: unexpected answers: ${answers.join(", ")}`);
}
