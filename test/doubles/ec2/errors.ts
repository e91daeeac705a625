// EC2 Query API errors as the real service sends them (README §EC2 errors): XML with Code and
// Message, the status that decides whether SDKs retry, and a request id in header and body.
import { randomUUID } from "node:crypto";

/** The request's form fields, so a message can name the instance type or ids asked for. */
export type Ec2Params = URLSearchParams;

export interface Ec2Error {
  readonly status: number;
  readonly code: string;
  readonly message: (params: Ec2Params) => string;
  /** Seconds, sent as Retry-After (SDKs honour it for throttling). */
  readonly retryAfter?: number;
}

export function errorResponse(error: Ec2Error, params: Ec2Params): { status: number; headers: Record<string, string>; body: string } {
  const requestId = randomUUID();
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message(params))}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  const headers: Record<string, string> = { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId };
  if (error.retryAfter !== undefined) headers["retry-after"] = String(error.retryAfter);
  return { status: error.status, headers, body };
}

/** InstanceId.N (DescribeInstances, TerminateInstances) or ResourceId.N (CreateTags) of a request. */
const instanceIds = (params: Ec2Params) => [...params].filter(([key]) => /^(InstanceId|ResourceId)\.\d+$/.test(key)).map(([, value]) => value);

export const ec2Errors = {
  requestLimitExceeded: (retryAfter?: number): Ec2Error => ({
    status: 503,
    code: "RequestLimitExceeded",
    message: () => "Request limit exceeded.",
    ...(retryAfter === undefined ? {} : { retryAfter }),
  }),
  insufficientInstanceCapacity: (): Ec2Error => ({
    status: 500,
    code: "InsufficientInstanceCapacity",
    message: (params) => {
      const type = params.get("InstanceType") ?? "m1.small";
      const zone = params.get("Placement.AvailabilityZone") ?? "us-east-1a";
      return `We currently do not have sufficient ${type} capacity in the Availability Zone you requested (${zone}). Our system will be working on provisioning additional capacity. You can currently get ${type} capacity by not specifying an Availability Zone in your request or choosing other Availability Zones.`;
    },
  }),
  vcpuLimitExceeded: (limit = 32): Ec2Error => ({
    status: 400,
    code: "VcpuLimitExceeded",
    message: () =>
      `You have requested more vCPU capacity than your current vCPU limit of ${limit} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
  }),
  instanceLimitExceeded: (): Ec2Error => ({
    status: 400,
    code: "InstanceLimitExceeded",
    message: () => "You have requested more instances than your current instance limit allows for the specified instance type.",
  }),
  internalError: (): Ec2Error => ({ status: 500, code: "InternalError", message: () => "An internal error has occurred" }),
  unavailable: (): Ec2Error => ({ status: 503, code: "Unavailable", message: () => "The service is unavailable. Please try again shortly." }),
  unauthorizedOperation: (): Ec2Error => ({ status: 403, code: "UnauthorizedOperation", message: () => "You are not authorized to perform this operation." }),
  /** What DescribeInstances (and others) answer for a few seconds after RunInstances. */
  instanceNotFound: (): Ec2Error => ({
    status: 400,
    code: "InvalidInstanceID.NotFound",
    message: (params) => {
      const ids = instanceIds(params);
      return ids.length > 1 ? `The instance IDs '${ids.join(", ")}' do not exist` : `The instance ID '${ids[0] ?? "unknown"}' does not exist`;
    },
  }),
  idempotentParameterMismatch: (): Ec2Error => ({
    status: 400,
    code: "IdempotentParameterMismatch",
    message: () => "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
  }),
};

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
