import { connect, source, type StandardSchema } from "hydro-deploy/runtime";

const number: StandardSchema<number> = {
  "~standard": { version: 1, vendor: "bench", validate: (value) => (typeof value === "number" ? { value } : { issues: [{ message: "not a number" }] }) },
};
const { inbound } = await connect({ inbound: source(number) });
let count = 0;
for await (const _ of inbound) if (++count % 100 === 0) console.log(`received ${count}`);
