/**
 * A binary codec for a port: MessagePack (msgpackr). Its own entry point, `hydro-deploy/runtime/msgpack`,
 * so that only programs that use it carry msgpackr in their bundle. Both ends of a port must use it.
 */
import { Packr } from "msgpackr";
import type { Codec } from "./codec.js";

// Plain MessagePack (no msgpackr record extension), so any MessagePack library can read the frames.
const packr = new Packr({ useRecords: false });

export const msgpack: Codec = {
  encode: (value) => packr.pack(value),
  decode: (payload) => packr.unpack(payload),
  decodeRange: (buffer, start, end) => packr.unpack(buffer, { start, end }),
};
