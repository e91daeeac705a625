import { z } from "zod";

/** What a client sends: `sentAt` is a high-resolution wall-clock time in ms. */
export const Ping = z.object({ seq: z.number().int(), text: z.string(), sentAt: z.number() });
/** What the server sends back: the ping plus when it was echoed. */
export const Echo = Ping.extend({ echoedAt: z.number() });

export const now = () => performance.timeOrigin + performance.now();
