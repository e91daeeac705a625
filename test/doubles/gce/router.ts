// Routes under /compute/v1/: "projects/{project}/zones/{zone}/instances/{name}" templates.
import type { OperationFailure } from "./errors.js";
import type { FaultTarget } from "./faults.js";
import type { Json } from "./store.js";

export interface ApiRequest {
  readonly method: string;
  /** The path after /compute/v1/, without the query. */
  readonly resourcePath: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Json;
  /** An injected fault that lets the call start an operation and then fails it. */
  readonly operationFault: ((target: FaultTarget) => OperationFailure) | undefined;
}

export type Handler = (request: ApiRequest) => Json | Promise<Json>;

export class Router {
  private readonly routes: { method: string; pattern: RegExp; handler: Handler }[] = [];

  add(method: string, template: string, handler: Handler): void {
    const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, "(?<$1>[^/]+)")}$`);
    this.routes.push({ method, pattern, handler });
  }

  match(method: string, resourcePath: string): { handler: Handler; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      const found = route.method === method ? route.pattern.exec(resourcePath) : null;
      if (found) return { handler: route.handler, params: { ...found.groups } };
    }
    return undefined;
  }
}
