import type { Message } from "esbuild";

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

/** Problems (one per line) as the end of an error's first line if there is one, else indented on lines of their own. */
export function oneLinePerProblem(problems: string): string {
  return problems.includes("\n") ? `\n  ${problems.replaceAll("\n", "\n  ")}` : problems;
}

/** One of esbuild's errors as `file:line:column: text` (esbuild counts columns from 0, editors from 1). */
export function describeBuildMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column + 1}: ` : "";
  return `${where}${message.text}`;
}
