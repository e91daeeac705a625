// RunInstances is idempotent on ClientToken in real EC2 (README §EC2 idempotency); moto 5.2 stores the
// token but launches again on every retry. The proxy restores the real behaviour: the first
// successful answer is replayed for the same token and the same parameters, and the same token
// with other parameters is IdempotentParameterMismatch.

export interface RememberedLaunch {
  readonly fingerprint: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export class ClientTokens {
  private readonly launches = new Map<string, RememberedLaunch>();

  lookup(params: URLSearchParams): RememberedLaunch | "mismatch" | undefined {
    const token = params.get("ClientToken");
    const earlier = token ? this.launches.get(token) : undefined;
    if (!earlier) return undefined;
    return earlier.fingerprint === fingerprint(params) ? earlier : "mismatch";
  }

  remember(params: URLSearchParams, answer: Omit<RememberedLaunch, "fingerprint">): void {
    const token = params.get("ClientToken");
    if (token && answer.status === 200) this.launches.set(token, { ...answer, fingerprint: fingerprint(params) });
  }
}

/** The request's parameters in a fixed order, so that a retry compares equal. */
function fingerprint(params: URLSearchParams): string {
  return [...params]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
}
