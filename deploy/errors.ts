/**
 * An error the user caused or can act on. The CLI prints its message alone on one line
 * (the stack only with --verbose), so the message must say what is wrong and where.
 */
export class HydroError extends Error {
  override name = "HydroError";
}

/** Several problems found in one pass (config validation), each on its own line. */
export function combine(problems: string[]): HydroError {
  return new HydroError(problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  ${problems.join("\n  ")}`);
}
