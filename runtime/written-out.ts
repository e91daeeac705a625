/**
 * Resolves once everything written so far to stdout and stderr has reached the pipe or terminal
 * (or failed to): process.exit() drops what a pipe has not taken yet.
 */
export function writtenOut(): Promise<unknown> {
  return Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write("", resolve))));
}
