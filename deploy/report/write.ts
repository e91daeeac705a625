import { Writable } from "node:stream";

/** One promise per congested stream, so any number of waiting producers add no listeners. */
const draining = new WeakMap<Writable, Promise<void>>();

/**
 * Writes `text` to `stream`; while the stream's buffer is full (a slow pipe or terminal) returns
 * a promise that resolves at its 'drain', so the program whose output this is pauses instead of
 * the deployer buffering without bound. A stream that has failed or closed (its reader is gone)
 * holds nobody back.
 */
export function write(stream: Writable, text: string): Promise<void> | undefined {
  if (stream.destroyed) return undefined;
  // The stream's own method: with --json, process.stdout.write is the script's, turned into log events.
  if (Writable.prototype.write.call(stream, text, "utf8")) return undefined;
  let drained = draining.get(stream);
  if (!drained) {
    drained = new Promise((resolve) => {
      const done = () => {
        draining.delete(stream);
        for (const event of ["drain", "close", "error"]) stream.off(event, done);
        resolve();
      };
      for (const event of ["drain", "close", "error"]) stream.once(event, done);
    });
    draining.set(stream, drained);
  }
  return drained;
}
