import { combine } from "./errors.js";

/**
 * Like Promise.all, but waits for every task, so nothing is still starting when the first failure
 * triggers teardown. Tasks that fail alike (hosts waiting on one shared resource) fail with that
 * one error, said once and as itself (a CloudError stays one); different failures are combined.
 */
export async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failures = results.flatMap((result) => (result.status === "rejected" ? [result.reason as Error] : []));
  const distinct = [...new Map(failures.map((failure) => [failure.message, failure])).values()];
  if (distinct.length === 1) throw distinct[0];
  if (distinct.length > 1) throw combine(distinct.map((failure) => failure.message));
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}
