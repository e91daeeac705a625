import fs from "node:fs";
import path from "node:path";
// zod/mini: the same schemas, tree-shakable, so validation adds little to the CLI's start-up.
import * as z from "zod/mini";
import { en } from "zod/locales";

z.config(en());
import type { Host, HostOwner } from "./host.js";
import { ConfigError } from "./errors.js";
import { formatCallsite, type Callsite } from "./callsite.js";

/**
 * Options the config passes to the Deployment and its nodes, checked and normalised; each host kind
 * checks its own options beside it (deploy/ssh/options.ts) with the pieces exported here.
 */

const isHost = (value: unknown): value is Host =>
  typeof value === "object" && value !== null && "launch" in value && "owner" in value && typeof (value as Host).name === "string";
export const host = z.custom<Host>(isHost, { message: "expected a host, e.g. d.localhost()" });
export const name = z.string().check(z.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "use letters, digits, '_', '.' and '-'"), z.maxLength(64));
/** A word handed to a program (an argument, an environment value): the OS ends strings at NUL. */
const word = z.string().check(z.refine((text) => !text.includes("\0"), "contains a NUL byte, which no program can be given"));
/** POSIX names only: anything else reaches a shell or `env` as something other than a variable (an option, a command). */
const envKey = z
  .string()
  .check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "not a POSIX environment variable name (letters, digits and '_', not starting with a digit)"));
/** For a record: a bad key is reported with its own check's message, not zod's "Invalid key in record". */
export const keyMessages = {
  error: (issue: z.core.$ZodRawIssue) => (issue.code === "invalid_key" ? (issue as { issues?: Array<{ message: string }> }).issues?.[0]?.message : undefined),
};
const env = z._default(z.record(envKey, word, keyMessages), {});

export const deploymentOptions = z.strictObject({
  name: z.optional(name),
  /** How long a program may take to bind or connect its ports. */
  readyTimeoutMs: z._default(z.int().check(z.positive()), 30_000),
  /** How long a program may take to exit after being asked to stop, before it is killed. */
  stopTimeoutMs: z._default(z.int().check(z.nonnegative()), 5_000),
  /** Programs on remote hosts exit after this long without the deployer's pings (a partition); 0: never. */
  heartbeatMs: z._default(z.int().check(z.nonnegative()), 30_000),
  /** How often every program reports its CPU, RSS and port counters (deploy/metrics/); 0: never. */
  metricsIntervalMs: z._default(z.int().check(z.refine((ms) => ms === 0 || ms >= 100, "0 (no metrics) or at least 100 ms")), 1000),
});
export type DeploymentOptions = z.output<typeof deploymentOptions>;

export const hostPoolOptions = z.strictObject({ name: z.optional(name) });
export type HostPoolInput = z.input<typeof hostPoolOptions>;
export type DeploymentInput = z.input<typeof deploymentOptions>;

const serviceOptions = z.strictObject({
  src: z.string().check(z.minLength(1, "give the program's source file")),
  on: host,
  args: z._default(z.array(word), []),
  env,
  name: z.optional(name),
  /** Takes a V8 CPU profile of each run (deploy/profile/); `hydro run --profile` sets it for programs that leave it unset. */
  profile: z.optional(z.boolean()),
});
export type ServiceOptions = Omit<z.output<typeof serviceOptions>, "name"> & { name: string };
export type ServiceInput = z.input<typeof serviceOptions>;

/** The most members a cluster may have: each is a process with its own connections. */
export const MAX_CLUSTER_SIZE = 1024;

const clusterOptions = z.strictObject({
  src: z.string().check(z.minLength(1, "give the program's source file")),
  /** One host, or several: members are spread over them round-robin (member i on on[i % on.length]). */
  on: z.union([host, z.array(host).check(z.minLength(1, "give at least one host"))]),
  count: z.int().check(z.minimum(1), z.maximum(MAX_CLUSTER_SIZE)),
  args: z._default(z.array(word), []),
  env,
  name: z.optional(name),
  /** Profiles every member (see service's). */
  profile: z.optional(z.boolean()),
});
export type ClusterOptions = Omit<z.output<typeof clusterOptions>, "name" | "on"> & { name: string; on: Host[] };
export type ClusterInput = z.input<typeof clusterOptions>;

const processOptions = z.strictObject({
  command: z.union([
    word.check(z.minLength(1)),
    z.array(word).check(
      z.minLength(1),
      z.refine((argv) => !argv[0]?.startsWith("-"), "the program (argv[0]) must not start with '-': a shell would read it as an option"),
    ),
  ]),
  on: host,
  /** Port name → fixed TCP port, or 0 to pick a free one. */
  ports: z._default(z.record(z.string(), z.int().check(z.minimum(0), z.maximum(65535))), {}),
  env,
  name: z.optional(name),
  /** Its time to exit after SIGTERM before SIGKILL; by default the deployment's stopTimeoutMs. */
  stopTimeoutMs: z.optional(z.int().check(z.nonnegative())),
});
export type ProcessOptions = Omit<z.output<typeof processOptions>, "name"> & { name: string };
export type ProcessInput = z.input<typeof processOptions>;

export const externalOptions = z._default(z.strictObject({ name: z.optional(name) }), {});
export type ExternalInput = z.input<typeof externalOptions>;

/** Parses with `schema`, or throws one error listing every field problem and where the call was made. */
export function parse<S extends z.ZodMiniType>(schema: S, input: unknown, what: string, site: Callsite | undefined): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const at = site ? `${formatCallsite(site)}: ` : "";
  const problems = result.error.issues.map((issue) => `${where(issue)}: ${issue.message}`);
  throw new ConfigError(`${at}${what}: ${problems.join("; ")}`);
}

/** `env`, `args.1`, or for a record's bad key `env: key "-S"`. */
function where(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === "invalid_key") return `${path.slice(0, -1).join(".")}: key ${JSON.stringify(path.at(-1))}`;
  return path.length ? path.join(".") : "options";
}

export function parseService(
  input: unknown,
  site: Callsite | undefined,
  owner: HostOwner,
  uniqueName: (wanted: string | undefined, fallback: string) => string,
) {
  const options = parse(serviceOptions, input, "service()", site);
  const at = site ? `${formatCallsite(site)}: ` : "";
  const src = programSource(options.src, site, "service()");
  checkOwner(options.on, owner, `${at}service()`);
  return { ...options, src, name: uniqueName(options.name, programName(src)) } satisfies ServiceOptions;
}

export function parseCluster(
  input: unknown,
  site: Callsite | undefined,
  owner: HostOwner,
  uniqueName: (wanted: string | undefined, fallback: string) => string,
) {
  const options = parse(clusterOptions, input, "cluster()", site);
  const at = site ? `${formatCallsite(site)}: ` : "";
  const src = programSource(options.src, site, "cluster()");
  const on = Array.isArray(options.on) ? options.on : [options.on];
  for (const host of on) checkOwner(host, owner, `${at}cluster()`);
  const name = options.name ?? programName(src);
  // Members are named <cluster>.<id>: each name must be free.
  for (let id = 0; id < options.count; id++) uniqueName(`${name}.${id}`, "");
  return { ...options, src, on, name } satisfies ClusterOptions;
}

export function parseProcess(
  input: unknown,
  site: Callsite | undefined,
  owner: HostOwner,
  uniqueName: (wanted: string | undefined, fallback: string) => string,
) {
  const options = parse(processOptions, input, "process()", site);
  const at = site ? `${formatCallsite(site)}: ` : "";
  checkOwner(options.on, owner, `${at}process()`);
  const program = typeof options.command === "string" ? options.command.trim().split(/\s+/)[0]! : options.command[0]!;
  return { ...options, name: uniqueName(options.name, path.basename(program)) } satisfies ProcessOptions;
}

export function checkOwner(host: Host, owner: HostOwner, where: string): void {
  if (!owner.uses(host))
    throw new ConfigError(
      `${where}: on: host "${host.name}" belongs to another Deployment or HostPool; declare hosts on the Deployment that uses them, or on the HostPool it was given ({ hosts: pool })`,
    );
}

/** The program's file, which must exist: a relative src is relative to the file that declares it, like an import. */
function programSource(src: string, site: Callsite | undefined, what: string): string {
  const resolved = resolveSource(src, site);
  if (!fs.statSync(resolved, { throwIfNoEntry: false })?.isFile()) {
    throw new ConfigError(`${site ? `${formatCallsite(site)}: ` : ""}${what}: src: file not found: ${path.relative(process.cwd(), resolved) || resolved}`);
  }
  return resolved;
}

/** A program's default name: its file's, without the extension. */
const programName = (src: string) => path.basename(src).replace(/\.(?:[cm]?[jt]sx?|hf)$/, "");

function resolveSource(src: string, site: Callsite | undefined): string {
  return path.resolve(site ? path.dirname(site.file) : process.cwd(), src);
}
