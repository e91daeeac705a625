// A listener for traffic that must never happen: clients under test get it as their HTTP(S) proxy
// and metadata server, so any attempt to reach another address lands here, is recorded, and is
// refused at once (a test then fails instead of hanging on an unreachable host).
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Tripwire {
  /** "127.0.0.1:PORT" */
  readonly address: string;
  /** Each attempt: "GET http://metadata…/computeMetadata/v1/…", "CONNECT oauth2.googleapis.com:443"… */
  readonly attempts: readonly string[];
  stop(): Promise<void>;
}

export async function startTripwire(): Promise<Tripwire> {
  const attempts: string[] = [];
  const server = http.createServer((request, response) => {
    attempts.push(`${request.method} ${request.headers.host ?? ""} ${request.url}`);
    response.writeHead(403, { "content-type": "text/plain" }).end("hydro test tripwire: no traffic may leave 127.0.0.1\n");
  });
  server.on("connect", (request: http.IncomingMessage, socket) => {
    attempts.push(`CONNECT ${request.url}`);
    socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Environment that sends a client's proxied traffic (everything not for 127.0.0.1) to the tripwire. */
export function proxyEnv(tripwire: Tripwire): Record<string, string> {
  const proxy = `http://${tripwire.address}`;
  return { HTTP_PROXY: proxy, HTTPS_PROXY: proxy, http_proxy: proxy, https_proxy: proxy, NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1" };
}
