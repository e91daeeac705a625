import type { Position } from "./ast.js";

/**
 * A `.hf` program that cannot be compiled: one line, `file.hf:line:col: what is wrong`, as tools
 * print compiler errors. `file` is as the caller named it.
 */
export class HfError extends Error {
  override readonly name = "HfError";

  constructor(
    readonly file: string,
    readonly at: Position,
    readonly problem: string,
  ) {
    super(`${file}:${at.line}:${at.column}: ${problem}`);
  }
}
