/**
 * `hydro run --ui`: the web view's server, on 127.0.0.1 only, behind a random token that the
 * printed URL carries. `/` is the page (one self-contained document: nothing is fetched from the
 * network), `/events` a server-sent event stream: the snapshot, then every change. A request
 * without the token, or naming another host (a DNS-rebinding page), gets 403.
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pageHtml } from "./page.js";
import type { UiState } from "./state.js";

export interface UiServer {
  url: string;
  close(): Promise<void>;
}

export async function startUiServer(state: UiState, port = 0): Promise<UiServer> {
  const token = crypto.randomBytes(24).toString("base64url");
  let listening = port;
  /** Each open event stream, and how it stops getting changes. */
  const streams = new Map<http.ServerResponse, () => void>();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (!allowed(request, url, token, listening)) {
      response.writeHead(403, { "content-type": "text/plain" }).end("403: this page needs the URL hydro run printed\n");
      return;
    }
    if (url.pathname === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": CSP }).end(pageHtml);
    } else if (url.pathname === "/events") {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      response.write(`event: snapshot\ndata: ${JSON.stringify(state.snapshot())}\n\n`);
      streams.set(
        response,
        state.subscribe((change) => response.write(`data: ${JSON.stringify(change)}\n\n`)),
      );
      request.on("close", () => {
        streams.get(response)?.();
        streams.delete(response);
      });
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("404\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  listening = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${listening}/?token=${token}`,
    close: async () => {
      // Unsubscribed first: a change published meanwhile must not be written to an ended stream.
      for (const [response, unsubscribe] of streams) {
        unsubscribe();
        response.end();
      }
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The page's scripts and styles are its own, inline; it connects only back here. */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";

function allowed(request: http.IncomingMessage, url: URL, token: string, port: number): boolean {
  const given = Buffer.from(url.searchParams.get("token") ?? "");
  const wanted = Buffer.from(token);
  if (given.length !== wanted.length || !crypto.timingSafeEqual(given, wanted)) return false;
  // Another site's page that got the name resolved to 127.0.0.1 sends its own Host.
  return request.headers.host === `127.0.0.1:${port}` || request.headers.host === `localhost:${port}`;
}
