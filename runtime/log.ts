/** Logs the first few problems, then every thousandth, so a flood of bad input cannot drown the output. */
export function rateLimitedLog(subject: string): (message: string) => void {
  let count = 0;
  return (message) => {
    count++;
    if (count <= 5 || count % 1000 === 0) {
      console.error(`[hydro] ${subject}: ${message}${count > 5 ? ` (${count} so far)` : ""}`);
    }
  };
}
