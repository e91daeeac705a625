import net from "node:net";
import Parser from "redis-parser";

/** A minimal pipelining Redis client for the config script's own workload (replies in order). */
export class RespClient {
  private readonly waiting: Array<{ resolve(reply: unknown): void; reject(error: Error): void }> = [];
  private readonly parser = new Parser({
    returnReply: (reply: unknown) => this.waiting.shift()?.resolve(reply),
    returnError: (error: Error) => this.waiting.shift()?.reject(error),
  });

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk) => this.parser.execute(chunk));
    socket.on("close", () => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(new Error("connection closed"));
    });
  }

  static connect(address: string): Promise<RespClient> {
    const colon = address.lastIndexOf(":");
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(address.slice(colon + 1)), address.slice(0, colon).replace(/^\[|\]$/g, ""));
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        socket.on("error", () => {});
        resolve(new RespClient(socket));
      });
    });
  }

  command(...words: string[]): Promise<unknown> {
    const encoded = `*${words.length}\r\n` + words.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join("");
    this.socket.write(encoded);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  close(): void {
    this.socket.destroy();
  }
}
