// A deployment with no cloud credentials anywhere: `hydro run` fails at once with one CloudError line
// naming where the SDK looked, and leaves no state file and no key. Nothing may leave 127.0.0.1: the
// API endpoints and proxies are a tripwire, EC2's metadata service is disabled and GCE's is a
// closed port (so google-auth-library's probe is refused at once instead of timing out).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { deployTwoVms } from "./failed-deploy.js";
import { freePort } from "../../doubles/free-port.js";
import { proxyEnv, startTripwire, type Tripwire } from "../../doubles/tripwire.js";
import { tempDir } from "../../helpers.js";

let tripwire: Tripwire;
/** Where nothing is: no ~/.aws, no gcloud application-default credentials. */
let home: string;

before(async () => {
  tripwire = await startTripwire();
  home = tempDir("hydro-empty-home-");
});
after(() => tripwire?.stop());

test("GCP without credentials: one CloudError line naming what google-auth-library looked for, nothing left, nothing sent", async () => {
  const closed = await freePort();
  const run = await deployTwoVms(["gcp", "hydro-test"], {
    HOME: home,
    GCE_METADATA_HOST: `127.0.0.1:${closed}`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: `http://${tripwire.address}/compute/v1/`,
    ...proxyEnv(tripwire),
  });
  assert.equal(run.exitCode, 1, run.output);
  assert.equal(run.thrown, "CloudError NoCredentials", run.output);
  // Both VMs waited on the same firewall rules: their one error is said once.
  assert.deepEqual(
    run.errors,
    [
      "error: gcp: creating the deployment's firewall rules in hydro-test: no Google Cloud credentials found (looked for GOOGLE_APPLICATION_CREDENTIALS, gcloud's application-default credentials and the metadata server; or set CLOUDSDK_AUTH_ACCESS_TOKEN)",
    ],
    run.output,
  );
  assert.deepEqual(run.leftovers, [], "no state file (no firewall rule recorded), no client key");
  assert.deepEqual(tripwire.attempts, []);
});

test("AWS without credentials: one CloudError line naming where the SDK looked, nothing left, nothing sent", async () => {
  const run = await deployTwoVms(["aws", "us-east-1"], {
    HOME: home,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_EC2: `http://${tripwire.address}`,
    ...proxyEnv(tripwire),
  });
  assert.equal(run.exitCode, 1, run.output);
  assert.equal(run.thrown, "CloudError NoCredentials", run.output);
  assert.deepEqual(
    run.errors,
    [
      "error: aws: finding the network in us-east-1: no AWS credentials found (looked for AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws/credentials, SSO, credential_process, and the instance metadata service)",
    ],
    run.output,
  );
  assert.deepEqual(run.leftovers, []);
  assert.deepEqual(tripwire.attempts, []);
});
