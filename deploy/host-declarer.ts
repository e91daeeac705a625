import { callsite, formatCallsite, type Callsite } from "./callsite.js";
import { ConfigError } from "./errors.js";
import type { Host, HostOwner } from "./host.js";
import { hostKind } from "./host-kind.js";
import "./builtin-host-kinds.js";
import type { SshInput } from "./ssh/options.js";
import type { AwsInput } from "./aws/options.js";
import type { GcpInput } from "./gcp/options.js";

/**
 * Declaring hosts, as a Deployment and a HostPool both do: `host(kind, options)` for any registered
 * kind (deploy/host-kind.ts), and typed sugar for the four built in. The owner says when declaring
 * is allowed (`checkDeclaring`) and what messages call it (`name`).
 */
export abstract class HostDeclarer implements HostOwner {
  /** Hosts of kinds with one per owner (localhost), by kind. */
  private readonly singleHosts = new Map<string, Host>();
  private readonly hostNames = new Set<string>();

  abstract get name(): string;
  abstract terminateHost(host: Host): Promise<void>;
  abstract uses(host: Host): boolean;
  /** Throws a ConfigError naming `site` when a host of a kind with many (not localhost) may not be declared now. */
  protected abstract checkDeclaring(site: Callsite | undefined, what: string): void;
  /** The same for the first declaration of a kind with one per owner (localhost); by default always allowed. */
  protected checkDeclaringSingle(_site: Callsite | undefined, _what: string): void {}

  /**
   * A host of a registered kind (deploy/host-kind.ts): the built-in `localhost`, `ssh`, `aws`,
   * `gcp`, or a plug-in's. `options` are the kind's own, checked now.
   */
  host(kind: string, options?: unknown): Host {
    const site = callsite();
    const registered = declaring(site, `host("${kind}")`, () => hostKind(kind));
    const single = registered.single ? this.singleHosts.get(kind) : undefined;
    if (single) return single;
    // A Deployment's single host is also where the deployer itself runs things (localhost): made on demand, even while deploying.
    if (registered.single) this.checkDeclaringSingle(site, `${kind}()`);
    else this.checkDeclaring(site, `${kind}()`);
    const parsed = registered.parse(options, { site, owner: this });
    const { given, fallback } = registered.hostName(parsed);
    // A kind with a cleanup keys its records and tags by host name: those names are unique.
    const name = registered.cleanup ? this.uniqueHostName(given, fallback, site) : (given ?? fallback);
    const host = registered.create(this, name, parsed);
    declarations.set(host, { kind, network: registered.network?.(parsed, name) ?? `${kind}:${name}` });
    if (registered.single) this.singleHosts.set(kind, host);
    return host;
  }

  /** The machine the deployer runs on. */
  localhost(): Host {
    return this.host("localhost");
  }

  /** A machine reached over SSH (the ssh2 package), optionally through a `jump` host. */
  ssh(options: SshInput): Host {
    return this.host("ssh", options);
  }

  /** An AWS EC2 VM, provisioned when first deployed to and terminated when released (the @aws-sdk/client-ec2 package, loaded only then). */
  aws(options: AwsInput): Host {
    return this.host("aws", options);
  }

  /** A GCP Compute Engine VM, created when first deployed to and deleted when released (@google-cloud/compute, loaded only then). */
  gcp(options: GcpInput): Host {
    return this.host("gcp", options);
  }

  /** Cloud hosts' names key their records and tags: unique in the owner (`aws-eu-west-1`, `aws-eu-west-1-2`, …). */
  private uniqueHostName(wanted: string | undefined, fallback: string, site: Callsite | undefined): string {
    if (wanted !== undefined && this.hostNames.has(wanted))
      throw new ConfigError(`${formatCallsite(site)}: the host name "${wanted}" is already used in ${this.name}`);
    let name = wanted ?? fallback;
    for (let n = 2; this.hostNames.has(name); n++) name = `${fallback}-${n}`;
    this.hostNames.add(name);
    return name;
  }
}

/** What a host was declared as, known without launching it (for `hydro plan`). */
export interface HostDeclaration {
  /** The registered kind: `localhost`, `ssh`, `aws`, `gcp`, or a plug-in's. */
  readonly kind: string;
  /** The network it will be on (HostKind.network), or one of its own when its kind cannot tell. */
  readonly network: string;
}

const declarations = new WeakMap<Host, HostDeclaration>();

/** How `host` was declared; every host declared through a HostDeclarer (a Deployment's or a HostPool's) has one. */
export function declarationOf(host: Host): HostDeclaration | undefined {
  return declarations.get(host);
}

/** Runs a declaration's lookup with its errors said at the config's line. */
export function declaring<T>(site: Callsite | undefined, what: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ConfigError && site) throw new ConfigError(`${formatCallsite(site)}: ${what}: ${error.message}`);
    throw error;
  }
}
