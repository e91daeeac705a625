import type { HostKind } from "../host-kind.js";
import { ConfigError } from "../errors.js";
import { formatCallsite } from "../callsite.js";
import { parseSsh, type SshOptions } from "./options.js";
import { SshHost, sshNetwork } from "./index.js";

/** `d.ssh({ host, … })`: a machine the user reaches over SSH. */
export const sshKind: HostKind<SshOptions> = {
  name: "ssh",
  parse: (input, { site, owner }) => {
    const options = parseSsh(input, site, owner);
    // Only an ssh() host carries the connection a jump goes through; anything else would be ignored.
    if (options.jump && !(options.jump instanceof SshHost))
      throw new ConfigError(`${site ? `${formatCallsite(site)}: ` : ""}ssh(): jump: host "${options.jump.name}" is not an ssh() host; a jump host must be one`);
    return options;
  },
  hostName: (options) => ({ given: options.name, fallback: options.port === 22 ? options.host : `${options.host}:${options.port}` }),
  create: (owner, name, options) => new SshHost(owner, name, options),
  network: sshNetwork,
  python: { constructor: "Ssh" },
};
