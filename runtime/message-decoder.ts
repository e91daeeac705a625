/**
 * One sender's messages: each frame decoded with the port's codec, validated with its schema, and
 * handed on in the order the sender sent them, even when the schema validates some asynchronously.
 */
import type { Codec } from "./codec.js";
import { validated, type StandardSchema, type Validated } from "./schema.js";

/** Where a MessageDecoder's results go. */
export interface MessageSink<T> {
  /** A message that passed the schema; `bytes` is its frame's size. */
  accept(from: string, data: T, bytes: number): void;
  /** A frame of `bytes` the codec could not decode, or a message the schema refused; `why` is one line. */
  reject(from: string, problem: "undecodable" | "invalid", why: string, bytes: number): void;
}

export class MessageDecoder<T> {
  /** Messages whose schema validates asynchronously, in order; undefined while every message so far was settled synchronously. */
  private backlog: Promise<void> | undefined;

  constructor(
    readonly from: string,
    private readonly codec: Codec,
    private readonly schema: StandardSchema<T>,
    private readonly sink: MessageSink<T>,
  ) {}

  /** The message in `chunk[start, end)`: after the ones before it, if any of them is still being validated. */
  read(chunk: Buffer, start: number, end: number): void {
    if (this.backlog) return this.defer(this.backlog.then(() => this.take(chunk, start, end)));
    const pending = this.take(chunk, start, end);
    if (pending) this.defer(pending);
  }

  /** Decodes and validates the message in `chunk[start, end)`; returns a promise only when the schema validates asynchronously. */
  private take(chunk: Buffer, start: number, end: number): Promise<void> | undefined {
    const size = end - start;
    let decoded: unknown;
    try {
      decoded = this.codec.decodeRange ? this.codec.decodeRange(chunk, start, end) : this.codec.decode(chunk.subarray(start, end));
    } catch (error) {
      this.sink.reject(this.from, "undecodable", (error as Error).message, size);
      return;
    }
    let result: ReturnType<StandardSchema<T>["~standard"]["validate"]>;
    try {
      result = this.schema["~standard"].validate(decoded);
    } catch (error) {
      this.settle(schemaThrew(error), size);
      return;
    }
    if (!(result instanceof Promise)) {
      if (result.issues) this.settle(validated(result), size);
      else this.sink.accept(this.from, result.value, size);
      return;
    }
    return result.then(
      (asynchronous) => this.settle(validated(asynchronous), size),
      (error: unknown) => this.settle(schemaThrew(error), size),
    );
  }

  /** Later messages wait behind `pending`, which keeps their order. */
  private defer(pending: Promise<void>): void {
    const backlog: Promise<void> = pending.then(() => {
      if (this.backlog === backlog) this.backlog = undefined;
    });
    this.backlog = backlog;
  }

  private settle(result: Validated<T>, size: number): void {
    if (result.ok) this.sink.accept(this.from, result.value, size);
    else this.sink.reject(this.from, "invalid", result.problem, size);
  }
}

const schemaThrew = (error: unknown): Validated<never> =>
  // A schema that throws (a transform, a refinement) is the message's fault, not the program's.
  ({ ok: false, problem: `the schema threw: ${(error as Error).message}` });
