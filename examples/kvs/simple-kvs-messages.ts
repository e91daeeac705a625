// zod/mini, as in examples/echo/messages.ts: a small bundle starts faster.
import * as z from "zod/mini";
import { en } from "zod/locales";

z.config(en());

/** What simple_kvs.hf is asked: put a value under a key, or get what a key holds. */
export const SimpleRequest = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("put"), key: z.string(), value: z.string() }),
  z.object({ kind: z.literal("get"), key: z.string() }),
]);
export type SimpleRequest = z.infer<typeof SimpleRequest>;
export type Put = Extract<SimpleRequest, { kind: "put" }>;

/** Its answer to a get: each value put under the key (the talk's join keeps them all). */
export const SimpleResponse = z.object({ key: z.string(), value: z.string() });
