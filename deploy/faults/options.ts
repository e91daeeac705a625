import crypto from "node:crypto";
import * as z from "zod/mini";
import { parse } from "../options.js";
import type { Callsite } from "../callsite.js";

/** The options of the network's faults (deploy/faults/network.ts), checked as every option is: one line naming the field. */

const seed = z.optional(z.int().check(z.minimum(0), z.maximum(0xffffffff)));
const milliseconds = z.number().check(z.minimum(0), z.maximum(3_600_000));

const partitionOptions = z._default(
  z.strictObject({
    /** Cut both directions (the default), or only from the first group to the second. */
    bothWays: z._default(z.boolean(), true),
  }),
  { bothWays: true },
);

const delayOptions = z.strictObject({
  /** Every message waits at least this long. */
  ms: milliseconds,
  /** Plus a uniform random extra in [0, jitterMs]. */
  jitterMs: z._default(milliseconds, 0),
  seed,
  /** Also delay what the second group sends to the first. */
  bothWays: z._default(z.boolean(), false),
});

const lossOptions = z.strictObject({
  /** Each message is dropped with this probability. */
  p: z.number().check(z.minimum(0), z.maximum(1)),
  seed,
  bothWays: z._default(z.boolean(), false),
});

export type PartitionInput = z.input<typeof partitionOptions>;
export type DelayInput = z.input<typeof delayOptions>;
export type LossInput = z.input<typeof lossOptions>;

/** A seed that was not given is drawn, and reported (fault.seed, the event), so the run can be replayed. */
const withSeed = <T extends { seed?: number | undefined }>(options: T) => ({ ...options, seed: options.seed ?? crypto.randomInt(0x100000000) });

export const parsePartition = (input: unknown, site: Callsite | undefined) => parse(partitionOptions, input, "partition()", site);
export const parseDelay = (input: unknown, site: Callsite | undefined) => withSeed(parse(delayOptions, input, "delay()", site));
export const parseLoss = (input: unknown, site: Callsite | undefined) => withSeed(parse(lossOptions, input, "loss()", site));
