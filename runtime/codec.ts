/**
 * How a port turns messages into frame payloads. JSON unless the port declares another codec.
 * `encode` may return a string, written as UTF-8 straight into the outgoing buffer; `decode` gets
 * a view of the received bytes.
 */
export interface Codec<T = unknown> {
  encode(value: T): Uint8Array | string;
  decode(payload: Buffer): unknown;
  /** Optional, for speed: decodes `buffer[start, end)` without the view `decode` would need (one object less per message). */
  decodeRange?(buffer: Buffer, start: number, end: number): unknown;
}

export const json: Codec = {
  encode: (value) => JSON.stringify(value),
  decode: (payload) => JSON.parse(payload.toString("utf8")),
  decodeRange: (buffer, start, end) => JSON.parse(buffer.toString("utf8", start, end)),
};

/** Payloads passed through untouched, for programs that do their own encoding. */
export const bytes: Codec<Uint8Array> = {
  encode: (value) => value,
  decode: (payload) => payload,
};
