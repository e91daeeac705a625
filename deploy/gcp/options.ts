import * as z from "zod/mini";
import { keyMessages, name, parse } from "../options.js";
import { ConfigError } from "../errors.js";
import { formatCallsite, type Callsite } from "../callsite.js";

const cidr = z.string().check(z.regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "a CIDR range such as 203.0.113.0/24 (0.0.0.0/0: anywhere)"));
const zone = z.string().check(z.regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, "a zone such as us-central1-a"));
const labelKey = z.string().check(
  z.regex(/^[a-z][a-z0-9_-]{0,62}$/, "a GCE label key (lowercase letters, digits, '_' and '-', starting with a letter, at most 63)"),
  z.refine((key) => key !== "hydro-deployment", "hydro-deployment is set by the deployer"),
);
const labelValue = z.string().check(z.regex(/^[a-z0-9_-]{0,63}$/, "a GCE label value (lowercase letters, digits, '_' and '-', at most 63)"));

const gcpOptions = z.strictObject({
  project: z.string().check(z.regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "a GCP project id such as my-project-123")),
  zone: z.optional(zone),
  /** Zones to try in order while one has no capacity (instead of zone). */
  zones: z.optional(z.array(zone).check(z.minLength(1))),
  machineType: z.string().check(z.regex(/^[a-z0-9-]+$/, "a machine type such as e2-small")),
  image: z._default(z.string().check(z.minLength(1)), "projects/debian-cloud/global/images/family/debian-12"),
  user: z._default(z.string().check(z.regex(/^[a-z_][a-z0-9_-]*$/, "a Unix user name (lowercase letters, digits, '_', '-')")), "hydro"),
  /** The VPC network the VMs join (its firewall rules are the deployment's own). */
  network: z._default(z.string().check(z.regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, "a network name such as default")), "default"),
  spot: z._default(z.boolean(), false),
  labels: z._default(z.record(labelKey, labelValue, keyMessages), {}),
  publicIp: z._default(z.boolean(), true),
  sshFrom: z._default(cidr, "0.0.0.0/0"),
  idleShutdownMinutes: z._default(z.number().check(z.positive()), 30),
  name: z.optional(name),
});
export type GcpOptions = Omit<z.output<typeof gcpOptions>, "zone" | "zones"> & { zones: string[] };
export type GcpInput = z.input<typeof gcpOptions>;

export function parseGcp(input: unknown, site: Callsite | undefined): GcpOptions {
  const { zone, zones, ...options } = parse(gcpOptions, input, "gcp()", site);
  const at = `${site ? `${formatCallsite(site)}: ` : ""}gcp()`;
  if (zone && zones) throw new ConfigError(`${at}: give zone or zones, not both`);
  if (!zone && !zones) throw new ConfigError(`${at}: zone: give the zone (or zones: [...] to try in order)`);
  return { ...options, zones: zones ?? [zone!] };
}
