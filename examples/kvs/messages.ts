import { z } from "zod";

const entry = z.tuple([z.string(), z.number().int().nonnegative(), z.string().nullable()]);

/**
 * What replicas send each other: `gossip` carries registers (a delta, or everything for a
 * replica that joined, the last part of which says `whole`); `join` asks the receiver for
 * everything it holds.
 */
export const PeerMessage = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("gossip"), entries: z.array(entry), whole: z.literal(true).optional() }),
  z.object({ kind: z.literal("join") }),
]);
export type PeerMessage = z.infer<typeof PeerMessage>;

/**
 * A request for keys another partition owns, sent to that partition's counterpart; `id` is the
 * sender's; `protocol` the RESP version to answer in (absent: 2).
 */
export const Forwarded = z.object({ id: z.number().int(), words: z.array(z.string()).min(1), protocol: z.literal([2, 3]).optional() });
export type Forwarded = z.infer<typeof Forwarded>;

/** The encoded RESP reply to a Forwarded request, sent back to the replica that forwarded it. */
export const Answer = z.object({ id: z.number().int(), reply: z.string() });
export type Answer = z.infer<typeof Answer>;
