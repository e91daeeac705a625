/** How a port turns messages into frame payloads. JSON unless the port declares another codec. */
export interface Codec<T = unknown> {
  encode(value: T): Uint8Array;
  decode(payload: Uint8Array): unknown;
}

export const json: Codec = {
  encode: (value) => Buffer.from(JSON.stringify(value)),
  decode: (payload) => JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8")),
};

/** Payloads passed through untouched, for programs that do their own encoding. */
export const bytes: Codec<Uint8Array> = {
  encode: (value) => value,
  decode: (payload) => payload,
};
