import { connect, sink, source, type StandardSchema } from "hydro-deploy/runtime";

// Sends one message and stays up. No zod: the benchmark measures hydro-deploy, not a schema library.
const number: StandardSchema<number> = {
  "~standard": { version: 1, vendor: "bench", validate: (value) => (typeof value === "number" ? { value } : { issues: [{ message: "not a number" }] }) },
};
const { out } = await connect({ out: sink(number), unused: source(number) });
out.send(1);
