import { z } from "zod";

const entry = z.tuple([z.string(), z.number().int().nonnegative(), z.string().nullable()]);

/**
 * What replicas send each other: `gossip` carries registers (a delta, or everything for a
 * replica that joined); `join` asks the receiver for everything it holds.
 */
export const PeerMessage = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("gossip"), entries: z.array(entry) }),
  z.object({ kind: z.literal("join") }),
]);
export type PeerMessage = z.infer<typeof PeerMessage>;
