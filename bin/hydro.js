#!/usr/bin/env node
// A Python config (`hydro run x.hydro.py …`): its interpreter starts first, so that its ~0.1 s of
// start-up overlaps the loading of the CLI (cli/python/spawn.ts prestartPython).
const pythonConfig = process.argv[2] === "run" && process.argv.some((arg) => arg.endsWith(".py"));
const prestarting = pythonConfig ? import("../dist/python-spawn.mjs").then(({ prestartPython }) => prestartPython(process.argv)) : undefined;
Promise.all([import("../dist/hydro.mjs"), prestarting]).then(
  ([{ runCli }, prestarted]) => runCli(process.argv, prestarted),
  (error) => {
    if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/")) {
      console.error("hydro: the CLI is not built yet; run `npm install` (or `npm run build`) in the hydro-deploy package");
      process.exit(1);
    }
    throw error;
  },
);
