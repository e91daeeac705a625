/**
 * The deployer ↔ program contract, imported by both sides (docs/ARCHITECTURE.md §3).
 *
 * Control lines travel over the program's stdin/stdout, so the handshake works the same for a
 * local child process and an SSH exec channel. A control line is
 * `\x10hydro/<secret>/<version> <json>`: the secret is made by the deployer for each program and
 * handed to it in ENV_CONTROL_SECRET, so nothing the program's user code prints (not knowing it)
 * is ever taken for control. The mark may follow a partial line the user printed without a
 * newline, so readers search for it anywhere in a line rather than only at its start.
 */

import { LineSplitter } from "./line-splitter.js";
import type { EdgeCount, EdgeRule } from "./faults/edge-fault.js";

export const PROTOCOL_VERSION = 1;
/** Starts every control line, followed by the program's secret (DLE, 0x10, is rare in text, so lookalikes are rare too). */
export const CONTROL_MARK = "\u0010hydro/";

/** The mark of the control lines of the program that knows `secret`. */
function controlMark(secret: string): string {
  return `${CONTROL_MARK}${secret}/`;
}

/** Where a server port listens, and so where its clients connect. */
export type Address = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

export type PortDirection = "in" | "out";

/**
 * One receiver of an outbound port; `key` is what `send(data, { to })` names (the service name by
 * default). `token` is the credential the deployer made for this edge: the sender's hello carries
 * it, and the receiver accepts only the tokens it was given at `bind`.
 */
export interface Target {
  key: string;
  address: Address;
  token: string;
  /** The receiver is the sending program itself (a cluster member wired to its own cluster): `broadcast(…, { exceptSelf })` skips it. */
  self?: true;
}

/** A sender the deployer wired to a receiving port: the name its messages are tagged with, and its credential. */
export interface Sender {
  from: string;
  token: string;
}

/** Deployer → program. */
export type DeployerMessage =
  /** `senders`: per receiving port, who may connect to it (every other connection is refused). */
  | { type: "bind"; service: string; ports: Record<string, Address>; senders: Record<string, Sender[]> }
  /**
   * `connectTimeoutMs`: how long the program may retry connecting (the deployment's readyTimeoutMs).
   * `faults`: the network faults on its sending edges (a restart while some are set).
   * `metricsMs`: how often to report `metrics` (none when absent or 0).
   */
  | { type: "start"; ports: Record<string, Target[]>; connectTimeoutMs: number; faults?: EdgeRule[]; metricsMs?: number }
  /** After start: the faults on its sending edges from now on, the whole set (an edge not named has none). Answered with `faults`. */
  | { type: "faults"; id: number; rules: EdgeRule[] }
  | { type: "stop" }
  /** "Still here": sent to programs on remote hosts, which exit when pings stop (ENV_HEARTBEAT). */
  | { type: "ping" };

/** Program → deployer. */
export type ProgramMessage =
  | { type: "ready"; declared: Record<string, PortDirection>; bound: Record<string, Address> }
  | { type: "started" }
  /** The rules of the `faults` message `id` apply; what the faults did so far on every edge that had one. */
  | { type: "faults"; id: number; counts: EdgeCount[] }
  /** Every `metricsMs` from start on: CPU over the interval as a share of one core, RSS in bytes, each port's counters so far. */
  | { type: "metrics"; cpu: number; rss: number; ports: Record<string, PortMetrics> }
  | { type: "error"; message: string };

/** A port's counters so far: messages and their framed bytes; a receiving port's rejects, a sending port's drops. */
export type PortMetrics =
  | { direction: "in"; messages: number; bytes: number; invalid: number; badFrames: number; refused: number }
  /** `dropped`: sent while a receiver was unreachable, or to no receiver, or cut by a fault. */
  | { direction: "out"; messages: number; bytes: number; dropped: number };

export function encodeControl(message: DeployerMessage | ProgramMessage, secret: string): string {
  return `${controlMark(secret)}${PROTOCOL_VERSION} ${JSON.stringify(message)}\n`;
}

export type ParsedLine<M> =
  | { kind: "text"; text: string }
  /** `text` is whatever the program printed on the same line before the mark. */
  | { kind: "control"; text: string; message: M }
  | { kind: "bad-control"; text: string; reason: string };

/** Splits one line (without its newline) into user text and an optional control message marked with `secret`. */
export function parseLine<M extends DeployerMessage | ProgramMessage>(line: string, secret: string): ParsedLine<M> {
  const mark = controlMark(secret);
  const at = line.indexOf(mark);
  if (at < 0) return { kind: "text", text: line };
  const text = line.slice(0, at);
  const rest = line.slice(at + mark.length);
  const space = rest.indexOf(" ");
  const version = Number(rest.slice(0, space));
  if (version !== PROTOCOL_VERSION) {
    return {
      kind: "bad-control",
      text,
      reason: `speaks hydro protocol version ${rest.slice(0, Math.max(space, 0)) || "?"}, this side speaks ${PROTOCOL_VERSION}`,
    };
  }
  try {
    const message = JSON.parse(rest.slice(space + 1)) as M;
    if (typeof message?.type !== "string") throw new Error("no message type");
    return { kind: "control", text, message };
  } catch (error) {
    return { kind: "bad-control", text, reason: `malformed control line: ${(error as Error).message}` };
  }
}

/** Environment variables through which the deployer tells a program who it is. */
export const ENV_SERVICE = "HYDRO_SERVICE";
/** The program's control secret; the runtime removes it from process.env before user code runs, so children do not inherit it. */
export const ENV_CONTROL_SECRET = "HYDRO_CONTROL_SECRET";
/**
 * Set for programs on remote hosts: exit after this many ms without a control line. A network
 * partition closes no pipe, so without it a program would outlive its deployer there.
 */
export const ENV_HEARTBEAT = "HYDRO_HEARTBEAT_MS";

/**
 * Reads a byte stream as lines (see LineSplitter for the cap on a line's length); a last line
 * without a newline is delivered when the stream ends. When `onLine` returns a promise, reading
 * pauses until it settles, so a slow consumer holds the producer back instead of piling up lines.
 */
export function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void | PromiseLike<void>, onEnd: () => void): void {
  void pumpLines(stream, onLine).finally(onEnd);
}

async function pumpLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void | PromiseLike<void>): Promise<void> {
  const splitter = new LineSplitter();
  try {
    for await (const chunk of stream) {
      for (const line of splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)) {
        const consumed = onLine(line);
        if (consumed) await consumed;
      }
    }
  } catch {
    // A stream that fails (a dropped connection) ends like one that closed; its exit says why.
  }
  const last = splitter.end();
  if (last !== undefined) await onLine(last);
}
