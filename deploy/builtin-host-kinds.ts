import { registerHostKind, type HostKind } from "./host-kind.js";
import { localhostKind } from "./localhost/kind.js";
import { sshKind } from "./ssh/kind.js";
import { awsKind } from "./aws/kind.js";
import { gcpKind } from "./gcp/kind.js";

/** The kinds hydro ships with, registered like any plug-in's (deploy/host-kind.ts). */
const builtins: HostKind<any>[] = [localhostKind, sshKind, awsKind, gcpKind];
for (const kind of builtins) registerHostKind(kind);
