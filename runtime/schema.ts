/**
 * Ports validate with any Standard Schema (zod 4, valibot, arktype…), so the runtime itself
 * does not bundle a validation library into every deployed program.
 */
export interface StandardSchema<Output = unknown> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => ValidationResult<Output> | Promise<ValidationResult<Output>>;
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined;
  };
}

export type ValidationResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<unknown> | undefined }> };

export type Infer<S> = S extends StandardSchema<infer O> ? O : never;

export type Validated<T> = { ok: true; value: T } | { ok: false; problem: string };

/** What a schema's validate() said (once its promise, if any, has settled), as a value or one line of problems. */
export function validated<T>(result: ValidationResult<T>): Validated<T> {
  if (!result.issues) return { ok: true, value: result.value };
  const problem = result.issues
    .map((issue) => {
      const path = issue.path?.map((p) => (typeof p === "object" && p !== null && "key" in p ? String(p.key) : String(p))).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
  return { ok: false, problem };
}
