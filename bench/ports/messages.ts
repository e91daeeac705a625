import type { StandardSchema } from "hydro-deploy/runtime";

/** A message whose JSON encoding is exactly `bytes` long: a string of `bytes - 2` characters. */
export const message = (bytes: number) => "x".repeat(Math.max(0, bytes - 2));

// Hand-written schemas: the benchmark measures hydro-deploy's ports, not a schema library.
export const text: StandardSchema<string> = {
  "~standard": { version: 1, vendor: "bench", validate: (value) => (typeof value === "string" ? { value } : { issues: [{ message: "not a string" }] }) },
};

/** `--name value` pairs of a program's argv. */
export function flags(argv = process.argv.slice(2)): Record<string, string> {
  const result: Record<string, string> = {};
  for (let i = 0; i + 1 < argv.length; i += 2) result[argv[i]!.replace(/^--/, "")] = argv[i + 1]!;
  return result;
}
