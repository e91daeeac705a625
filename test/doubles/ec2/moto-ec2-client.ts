// An EC2 client straight to moto (no fault proxy): for harness code and checks that must not see faults.
import { EC2Client } from "@aws-sdk/client-ec2";

const REQUEST_TIMEOUT_MS = 10_000;

export function motoEc2Client(motoUrl: string, region: string): EC2Client {
  return new EC2Client({
    region,
    endpoint: motoUrl,
    // Static: no credential lookup ever leaves the machine.
    credentials: { accessKeyId: "AKIDHYDROTEST", secretAccessKey: "hydro-test" },
    // moto answers at once or is broken: fail instead of retrying or hanging.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: REQUEST_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  });
}
