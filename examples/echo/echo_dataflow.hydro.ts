import { runEcho } from "./echo.hydro.js";

// echo.hydro.ts with the dataflow server: `hydro run examples/echo/echo_dataflow.hydro.ts [-- count]`.
export default async function main(args: string[]) {
  await runEcho("./echo_server_dataflow.ts", args);
}
