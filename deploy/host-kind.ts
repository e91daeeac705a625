import { callsite, type Callsite } from "./callsite.js";
import type { CloudProvider } from "./cloud/provider.js";
import { ConfigError, HydroError } from "./errors.js";
import type { Host, HostOwner } from "./host.js";
import type { ResourceRecord } from "./state/state-file.js";

/**
 * The one seam through which a kind of host joins hydro (docs/ARCHITECTURE.md §2). A kind is a
 * folder that calls `registerHostKind()` when imported: the core then declares it with
 * `d.host(name, options)`, the Python bridge offers it as `deployment.<python>(…)`, and if it
 * makes resources that outlive a crash, `hydro down`/`ls` find them through its `cleanup` under
 * `--<name> <scopes…>`. Nothing in deploy/, cli/ or python/ names a kind other than the four it
 * ships with (deploy/builtin-host-kinds.ts), and those only as typed sugar (`d.ssh(…)`).
 */
export interface HostKind<Options = unknown> {
  /** `d.host(name, …)`, `CloudError.provider`, the `provider` of its state records, the `--name` flag of down/ls. */
  readonly name: string;
  /**
   * Checks the options the config gave (zod schemas and `parse` from deploy/options.ts), throwing
   * a ConfigError that names `at.site`. Hosts among the options (a jump host) must be ones
   * `at.owner` may use (its own, or its pool's): `checkOwner` in deploy/options.ts says so in one line.
   */
  parse(input: unknown, at: DeclarationSite): Options;
  /**
   * The host's name: the one the config gave, else a default. For a kind with a `cleanup` (whose
   * records and tags are keyed by it) the Deployment makes it unique (`aws-eu-west-1-2`) and
   * refuses a given one used twice; other kinds keep it as it is (one machine may be declared twice).
   */
  hostName(options: Options): { given: string | undefined; fallback: string };
  create(owner: HostOwner, name: string, options: Options): Host;
  /**
   * The network a host with these options will be on, known without launching it: `hydro plan`
   * groups hosts by it to say which edges go over TCP and which through the deployer. Hosts that
   * will share a network share the name (`LaunchedHost.network`'s, or one standing for it).
   * Without it, `hydro plan` puts each host of the kind on a network of its own.
   */
  network?(options: Options, name: string): string;
  /** One host of this kind per Deployment: every declaration returns the same (localhost). */
  readonly single?: boolean;
  /** How a Python config declares it: `deployment.<constructor>(snake_case=…)`. */
  readonly python?: PythonName;
  /** Resources that can outlive a deployer killed with -9, for `hydro down` and `hydro ls`. */
  readonly cleanup?: CleanupSeam;
}

export interface DeclarationSite {
  /** Where the config declared the host, for error messages. */
  readonly site: Callsite | undefined;
  /** The Deployment declaring it. */
  readonly owner: HostOwner;
}

export interface PythonName {
  /** `AwsMachine`: the method of `hydro.Deployment` that declares it. */
  readonly constructor: string;
  /** Python keyword → TS option where it is not the TS name camelCased (`type` → `instanceType`). */
  readonly aliases?: Readonly<Record<string, string>>;
}

export interface CleanupSeam {
  /** What a scope is, for `--<name> <scopes…>`'s help: `AWS regions`, `GCP projects`. */
  readonly scopes: string;
  /** The scope a recorded resource is found in by `findTagged` (its region, its project). */
  scopeOf(record: Pick<ResourceRecord, "scope">): string | undefined;
  /** Loaded only when `hydro down`/`ls` needs it (the cloud SDKs are big). */
  provider(): Promise<CloudProvider>;
}

const registered = new Map<string, HostKind<any>>();
/** The source file that registered each kind (through source maps: a .ts plug-in's own path). */
const registeredBy = new Map<string, string | undefined>();

/**
 * Makes a kind declarable. The same module registering again is no change (a config that imports a
 * plug-in run with `--plugin` of that plug-in has two bundled copies of it); another module
 * registering a taken name, or Python name, is a ConfigError: two plug-ins clash.
 */
export function registerHostKind<Options>(kind: HostKind<Options>): void {
  if (!/^[a-z][a-z0-9-]*$/.test(kind.name)) throw new ConfigError(`registerHostKind(): name: "${kind.name}" is not a lowercase word (letters, digits, '-')`);
  const by = callsite()?.file;
  if (registered.has(kind.name)) {
    if (registered.get(kind.name) === kind || (by !== undefined && registeredBy.get(kind.name) === by)) return;
    const first = registeredBy.get(kind.name);
    throw new ConfigError(`registerHostKind(): a host kind named "${kind.name}" is already registered${first ? ` (by ${first})` : ""}`);
  }
  const python = kind.python?.constructor;
  const clash = python && [...registered.values()].find((other) => other.python?.constructor === python);
  if (clash) throw new ConfigError(`registerHostKind(): the Python name ${python} of "${kind.name}" is already that of "${clash.name}"`);
  registered.set(kind.name, kind);
  registeredBy.set(kind.name, by);
}

export function hostKind(name: string): HostKind {
  const kind = registered.get(name);
  if (!kind)
    throw new ConfigError(
      `no host kind "${name}" (registered: ${[...registered.keys()].join(", ")}; a plug-in's kind is registered when its module is imported, or loaded with hydro --plugin)`,
    );
  return kind;
}

export function hostKinds(): HostKind[] {
  return [...registered.values()];
}

/** The cleanup of the kind whose resources a state record names (`provider`), for `hydro down`/`ls`. */
export function cleanupOf(name: string): CleanupSeam {
  const cleanup = registered.get(name)?.cleanup;
  if (!cleanup) {
    const known = hostKinds().flatMap((kind) => (kind.cleanup ? [kind.name] : []));
    throw new HydroError(
      `resources of "${name}" cannot be cleaned up here: no host kind "${name}" with a cleanup is registered (known: ${known.join(", ")}; load a plug-in's with hydro --plugin <module>)`,
    );
  }
  return cleanup;
}
