#!/usr/bin/env node
import("../dist/hydro.mjs").then(
  ({ runCli }) => runCli(process.argv),
  (error) => {
    if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/hydro.mjs")) {
      console.error("hydro: the CLI is not built yet; run `npm install` (or `npm run build`) in the hydro-deploy package");
      process.exit(1);
    }
    throw error;
  },
);
