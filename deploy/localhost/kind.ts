import * as z from "zod/mini";
import type { HostKind } from "../host-kind.js";
import { parse } from "../options.js";
import { DEPLOYER_NETWORK, Localhost } from "./index.js";

/** `d.localhost()`: the deployer's own machine, one per Deployment; it takes no options. */
export const localhostKind: HostKind<undefined> = {
  name: "localhost",
  single: true,
  parse: (input, { site }) => {
    parse(z.optional(z.strictObject({})), input, "localhost()", site);
    return undefined;
  },
  hostName: () => ({ given: undefined, fallback: "localhost" }),
  create: (owner) => new Localhost(owner),
  network: () => DEPLOYER_NETWORK,
  python: { constructor: "Localhost" },
};
