// Operations: what every insert, delete and set* call returns, polled with get and wait until DONE
// (README §GCE operations). A failed operation is still HTTP 200, DONE, with `error.errors[]`.
import { randomBytes } from "node:crypto";
import { notFound, type OperationFailure } from "./errors.js";
import type { Links } from "./links.js";
import { numericId, timestamp } from "./ids.js";
import type { Timers } from "./timers.js";

export type OperationJson = Record<string, unknown> & { status: "PENDING" | "RUNNING" | "DONE"; name: string };

/** Where an operation lives: zonal and regional operations carry their scope, global ones neither. */
export interface OperationScope {
  readonly project: string;
  readonly zone?: string;
  readonly region?: string;
}

export interface OperationStart extends OperationScope {
  readonly operationType: string;
  readonly targetPath: string;
  readonly targetId: string;
}

export class Operation {
  readonly json: OperationJson;
  private finish!: () => void;
  readonly finished = new Promise<void>((resolve) => (this.finish = resolve));

  constructor(
    readonly path: string,
    json: OperationJson,
  ) {
    this.json = json;
  }

  running(): void {
    if (this.json.status !== "PENDING") return;
    this.json.status = "RUNNING";
    this.json.startTime = timestamp();
  }

  done(failure?: OperationFailure): void {
    if (this.json.status === "DONE") return;
    this.running();
    Object.assign(this.json, { status: "DONE", progress: 100, endTime: timestamp() });
    if (failure) {
      const { code, message, errorDetails, httpErrorStatusCode, httpErrorMessage } = failure;
      Object.assign(this.json, { error: { errors: [{ code, message, ...(errorDetails ? { errorDetails } : {}) }] }, httpErrorStatusCode, httpErrorMessage });
    }
    this.finish();
  }
}

export class Operations {
  private readonly byPath = new Map<string, Operation>();

  constructor(
    private readonly links: Links,
    private readonly timers: Timers,
  ) {}

  start(start: OperationStart): Operation {
    const name = `operation-${Date.now()}-${randomBytes(7).toString("hex").slice(0, 13)}-${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}`;
    const path = `${scopePath(start)}/operations/${name}`;
    const scope = start.zone
      ? { zone: this.links.url(`projects/${start.project}/zones/${start.zone}`) }
      : start.region
        ? { region: this.links.url(`projects/${start.project}/regions/${start.region}`) }
        : {};
    const json: OperationJson = {
      kind: "compute#operation",
      id: numericId(),
      name,
      ...scope,
      operationType: start.operationType,
      targetLink: this.links.url(start.targetPath),
      targetId: start.targetId,
      status: "PENDING",
      user: "hydro-test@example.iam.gserviceaccount.com",
      progress: 0,
      insertTime: timestamp(),
      selfLink: this.links.url(path),
    };
    const operation = new Operation(path, json);
    this.byPath.set(path, operation);
    return operation;
  }

  get(path: string): Operation {
    const operation = this.byPath.get(path);
    if (!operation) throw notFound(path);
    return operation;
  }

  /** Like the real `wait`: returns when DONE, or after at most `maxWaitMs` with the status so far. */
  async wait(path: string, maxWaitMs: number): Promise<OperationJson> {
    const operation = this.get(path);
    await Promise.race([operation.finished, this.timers.sleep(maxWaitMs)]);
    return operation.json;
  }
}

function scopePath({ project, zone, region }: OperationScope): string {
  return zone ? `projects/${project}/zones/${zone}` : region ? `projects/${project}/regions/${region}` : `projects/${project}/global`;
}
