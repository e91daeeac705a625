// zod/mini, as in examples/echo/messages.ts: a small bundle starts faster.
import * as z from "zod/mini";
import { en } from "zod/locales";
import { DIGEST_BUCKETS } from "./store.js";

z.config(en());

const entry = z.tuple([z.string(), z.int().check(z.nonnegative()), z.nullable(z.string())]);

/**
 * What replicas send each other: `gossip` carries registers (a delta, everything for a replica
 * that joined, the last part of which says `whole`, or the buckets a digest showed differ); `join`
 * asks the receiver for everything it holds; `digest` is the sender's per-bucket digest, answered
 * with the registers of the buckets that differ.
 */
export const PeerMessage = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("gossip"), entries: z.array(entry), whole: z.optional(z.literal(true)) }),
  z.object({ kind: z.literal("join") }),
  z.object({ kind: z.literal("digest"), buckets: z.array(z.int().check(z.nonnegative())).check(z.maxLength(DIGEST_BUCKETS)) }),
]);
export type PeerMessage = z.infer<typeof PeerMessage>;

/**
 * A request for keys another partition owns, sent to that partition's counterpart; `id` is the
 * sender's; `protocol` the RESP version to answer in (absent: 2).
 */
export const Forwarded = z.object({ id: z.int(), words: z.array(z.string()).check(z.minLength(1)), protocol: z.optional(z.literal([2, 3])) });
export type Forwarded = z.infer<typeof Forwarded>;

/** The encoded RESP reply to a Forwarded request, sent back to the replica that forwarded it. */
export const Answer = z.object({ id: z.int(), reply: z.string() });
export type Answer = z.infer<typeof Answer>;
