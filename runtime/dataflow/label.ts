/** Source text of a user function, shortened for pictures: `map(x => x * 2)`. */
export function describeFunction(fn: (...args: never[]) => unknown, maxLength = 48): string {
  const source = fn.toString();
  // Built-in and bound functions have no source worth showing; their name says more.
  const text = source.includes("[native code]") ? fn.name || "native" : source.replace(/\s+/g, " ");
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

export function call(kind: string, ...args: string[]): string {
  return `${kind}(${args.join(", ")})`;
}

/** The `name` of a port (`inbound`, `outbound`) or any named object, to show in pictures. */
export function nameOf(target: object): string | undefined {
  const name = (target as { name?: unknown }).name;
  return typeof name === "string" && name !== "" ? name : undefined;
}
