// A fault-injecting proxy in front of moto_server (the EC2 Query API: POST / with Action=… in a
// form body). Rules pick requests by Action and answer the next N of them with an EC2 error;
// everything else passes through unchanged. README §EC2 fault proxy.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ClientTokens } from "./client-token.js";
import { type Ec2Error, ec2Errors, errorResponse } from "./errors.js";
import { readBody } from "../read-body.js";

export { ec2Errors, type Ec2Error } from "./errors.js";

export interface Ec2FaultRule {
  /** "RunInstances", "DescribeInstances"… */
  readonly action: string;
  /** How many matching requests fail (default 1; Infinity: all). */
  readonly times?: number;
  readonly error: Ec2Error;
  /** Pass the request on first and answer the error instead of moto's reply (a response lost on the way back). */
  readonly afterEffect?: boolean;
}

export interface InjectedEc2Fault {
  readonly hits: number;
}

export interface ProxiedRequest {
  readonly action: string;
  /** The error code answered by the proxy, or undefined when moto's answer went back. */
  readonly injected: string | undefined;
  readonly status: number;
}

export interface FaultProxy {
  /** "http://127.0.0.1:PORT": the endpoint clients use instead of moto's. */
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  inject(rule: Ec2FaultRule): InjectedEc2Fault;
  clearFaults(): void;
  stop(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export async function startFaultProxy(options: { readonly target: string }): Promise<FaultProxy> {
  const target = new URL(options.target);
  const rules: { rule: Ec2FaultRule; remaining: number; hits: number }[] = [];
  const requests: ProxiedRequest[] = [];
  const clientTokens = new ClientTokens();

  const takeFault = (action: string) => {
    const entry = rules.find(({ rule, remaining }) => remaining > 0 && rule.action === action);
    if (!entry) return undefined;
    entry.remaining--;
    entry.hits++;
    return entry.rule;
  };

  const handle = async (request: http.IncomingMessage): Promise<Answer & { injected?: string; action: string }> => {
    const body = await readBody(request);
    const params = new URLSearchParams(request.method === "POST" ? body : new URL(request.url!, "http://proxy").search);
    const action = params.get("Action") ?? "";
    const fault = takeFault(action);
    if (fault && !fault.afterEffect) return { ...errorResponse(fault.error, params), injected: fault.error.code, action };
    const isLaunch = action === "RunInstances";
    const remembered = isLaunch ? clientTokens.lookup(params) : undefined;
    if (remembered === "mismatch") return { ...errorResponse(ec2Errors.idempotentParameterMismatch(), params), action };
    const answer = remembered ?? (await forward(target, request, body));
    if (isLaunch && !remembered) clientTokens.remember(params, answer);
    if (fault) return { ...errorResponse(fault.error, params), injected: fault.error.code, action };
    return { ...answer, action };
  };

  const server = http.createServer((request, response) => {
    handle(request)
      .then(({ status, headers, body, injected, action }) => {
        requests.push({ action, injected, status });
        response.writeHead(status, headers).end(body);
      })
      .catch((error: unknown) => {
        response.writeHead(502, { "content-type": "text/plain" }).end(`fault proxy: ${String(error)}\n`);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    inject(rule) {
      const entry = { rule, remaining: rule.times ?? 1, hits: 0 };
      rules.push(entry);
      return {
        get hits() {
          return entry.hits;
        },
      };
    },
    clearFaults: () => void (rules.length = 0),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function forward(target: URL, request: http.IncomingMessage, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...request.headers, host: target.host, "content-length": String(Buffer.byteLength(body)) };
    const upstream = http.request({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers }, (response) => {
      readBody(response).then((text) => resolve({ status: response.statusCode ?? 502, headers: plainHeaders(response.headers), body: text }), reject);
    });
    upstream.on("error", reject);
    upstream.end(body);
  });
}

function plainHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const kept = Object.entries(headers).filter(
    ([name, value]) => value !== undefined && !["content-length", "transfer-encoding", "connection", "keep-alive"].includes(name),
  );
  return Object.fromEntries(kept.map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : String(value)]));
}
