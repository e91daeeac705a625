/** What the port tests share: socket addresses, credentials as the deployer makes them, raw senders. */
import type { OutboundStats } from "./receiver-connection.js";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { z } from "zod";
import { helloFrame } from "./hello.js";
import { encodeFrame } from "./framing.js";
import type { Address, Sender, Target } from "./protocol.js";

export const Message = z.object({ n: z.number() });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydro-ports-test-"));
let sockets = 0;
export const socketAddress = (): Address => ({ kind: "unix", path: path.join(dir, `${sockets++}.sock`) });
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));

export async function take<T>(iterable: AsyncIterable<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (items.length === count) break;
  }
  return items;
}

/** A sender the receiver is told about: its name and a credential, as the deployer makes them. */
/** What `messages` take on the wire as JSON frames, 4-byte headers included (a port's `stats.bytes`). */
export const frameBytes = (messages: readonly unknown[]) => messages.reduce<number>((sum, message) => sum + 4 + Buffer.byteLength(JSON.stringify(message)), 0);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ n: from + i }));
/** A receiver's `outbound.stats[key]`: what is not given is 0 (or not connected). */
export const receiverStats = (counts: Partial<OutboundStats>): OutboundStats => ({
  sent: 0,
  bytes: 0,
  dropped: 0,
  reconnects: 0,
  connected: false,
  droppedByFault: 0,
  delayed: 0,
  ...counts,
});

/** The bytes of `{ n }` messages for n in [from, to). */
export const bytesOfRange = (from: number, to: number) => frameBytes(range(from, to));

export const sender = (from: string): Sender => ({ from, token: `token-of-${from}` });
export const targetFor = (key: string, address: Address, from: string): Target => ({ key, address, token: sender(from).token });

/** A raw connection to a unix socket port; errors (the receiver closing it) are expected. */
export async function rawConnection(address: Address): Promise<net.Socket> {
  const socket = net.connect((address as { path: string }).path);
  socket.on("error", () => {});
  await new Promise((resolve) => socket.once("connect", resolve));
  return socket;
}

/** A raw connection that has said hello with `from`'s credential, for sending hand-made bytes. */
export async function rawSender(address: Address, from = "raw"): Promise<net.Socket> {
  const socket = await rawConnection(address);
  socket.write(encodeFrame(helloFrame(sender(from).token)));
  return socket;
}

/** Resolves once `socket` is closed (by the receiver, in these tests). */
export const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once("close", () => resolve())));
