/**
 * The hello: the first frame of every port connection. It carries the credential the deployer made
 * for the edge (docs/ARCHITECTURE.md §4), so the receiver knows which sender this is, or refuses it.
 */

/** A hello is a few dozen bytes: a receiver holds no bigger first frame. */
export const MAX_HELLO_BYTES = 1024;

/** The hello of the sender that the deployer gave `token`. */
export function helloFrame(token: string): Buffer {
  return Buffer.from(JSON.stringify({ hydro: 1, token }));
}

/** The credential a hello frame carries, if it is one. */
export function readHello(frame: Buffer): string | undefined {
  try {
    const hello = JSON.parse(frame.toString("utf8")) as { hydro?: unknown; token?: unknown };
    return hello.hydro === 1 && typeof hello.token === "string" ? hello.token : undefined;
  } catch {
    return undefined;
  }
}
