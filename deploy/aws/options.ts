import * as z from "zod/mini";
import { keyMessages, name, parse } from "../options.js";
import type { Callsite } from "../callsite.js";

const cidr = z.string().check(z.regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "a CIDR range such as 203.0.113.0/24 (0.0.0.0/0: anywhere)"));
const userName = z.string().check(z.regex(/^[a-z_][a-z0-9_-]*$/, "a Unix user name (lowercase letters, digits, '_', '-')"));

const awsOptions = z.strictObject({
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "an AWS region such as eu-west-1")),
  instanceType: z.string().check(z.regex(/^[a-z0-9-]+\.[a-z0-9]+$/, "an EC2 instance type such as t3.micro")),
  /** Debian 12 (the newest official image for the type's architecture) unless given. */
  ami: z.optional(z.string().check(z.regex(/^ami-[0-9a-f]+$/, "an image id such as ami-0abc123"))),
  /** Who the deployer logs in as: `admin` on Debian's images. */
  user: z._default(userName, "admin"),
  /** Launch in this subnet (and its VPC); by default the region's default VPC. */
  subnet: z.optional(z.string().check(z.regex(/^subnet-[0-9a-f]+$/, "a subnet id such as subnet-0abc123"))),
  spot: z._default(z.boolean(), false),
  /** More tags on the VM and its disk (hydro-deployment and Name are set by the deployer). */
  tags: z._default(
    z.record(
      z.string().check(z.refine((key) => key !== "hydro-deployment" && key !== "Name", "hydro-deployment and Name are set by the deployer")),
      z.string(),
      keyMessages,
    ),
    {},
  ),
  rootVolumeGb: z.optional(z.int().check(z.positive())),
  /** Reach the VM at its public address (default); false: at its private one (the deployer is in the VPC, or behind a VPN). */
  publicIp: z._default(z.boolean(), true),
  /** Who may reach the VMs' SSH port. */
  sshFrom: z._default(cidr, "0.0.0.0/0"),
  /** Without a heartbeat from the deployer for this long, the VM powers itself off, and is terminated. */
  idleShutdownMinutes: z._default(z.number().check(z.positive()), 30),
  name: z.optional(name),
});
export type AwsOptions = z.output<typeof awsOptions>;
export type AwsInput = z.input<typeof awsOptions>;

export const parseAws = (input: unknown, site: Callsite | undefined): AwsOptions => parse(awsOptions, input, "aws()", site);
