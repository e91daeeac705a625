import { typecheckHf } from "../deploy/hf/typecheck.js";
import { describeFailure } from "../deploy/report/format.js";
import { HydroError } from "../deploy/errors.js";

/** `hydro check <file.hf…>`: one line per problem (compiler errors and TypeScript's), at `.hf` positions; exit 1 if any. */
export async function check(files: string[]): Promise<never> {
  let problems: string[];
  try {
    problems = await typecheckHf(files);
  } catch (error) {
    if (!(error instanceof HydroError)) throw error;
    process.stderr.write(`${describeFailure(error.message)}\n`);
    process.exit(1);
  }
  for (const problem of problems) process.stderr.write(`${describeFailure(problem)}\n`);
  if (problems.length === 0) process.stdout.write(`${files.join(", ")}: no problems\n`);
  process.exit(problems.length ? 1 : 0);
}
