import fs from "node:fs/promises";
import path from "node:path";
import { SourceMap } from "node:module";
import type { Message, PartialMessage, Plugin } from "esbuild";
import { HfError } from "./errors.js";

/**
 * Lets esbuild bundle `.hf` files (a service's `src`, or an import): each is compiled to
 * TypeScript (hf/compile.ts) with an inline source map, so the bundle's map, and through it
 * stack traces, point into the `.hf` file. Errors come back at `.hf` positions: the compiler's
 * own, and esbuild's syntax errors in the TypeScript copied from it (mapped back here, since
 * esbuild reports its input's positions as they are). The compiler loads only when a `.hf` file
 * does, not with every bundle.
 */
export function hfPlugin(): Plugin {
  return {
    name: "hydro-hf",
    setup(build) {
      build.onLoad({ filter: /\.hf$/ }, async (args) => {
        const text = await fs.readFile(args.path, "utf8");
        const shown = path.relative(process.cwd(), args.path) || args.path;
        const { compileHf } = await import("./compile.js");
        let generated;
        try {
          generated = compileHf(text, shown);
        } catch (error) {
          if (!(error instanceof HfError)) throw error;
          return {
            errors: [
              { text: error.problem, location: { file: shown, line: error.at.line, column: error.at.column - 1, lineText: lineOf(text, error.at.line) } },
            ],
          };
        }
        const map = { ...generated.map, sources: [args.path] };
        const problems = await syntaxErrors(build.esbuild, generated.code, map, shown, text);
        if (problems.length) return { errors: problems };
        const inlineMap = Buffer.from(JSON.stringify(map)).toString("base64");
        return {
          contents: `${generated.code}\n//# sourceMappingURL=data:application/json;base64,${inlineMap}\n`,
          loader: "ts",
          resolveDir: path.dirname(args.path),
        };
      });
    },
  };
}

/** esbuild's syntax errors in the generated module, at the `.hf` positions its source map gives. */
async function syntaxErrors(
  esbuild: { transform(code: string, options: object): Promise<unknown> },
  code: string,
  map: object,
  shown: string,
  text: string,
): Promise<PartialMessage[]> {
  try {
    await esbuild.transform(code, { loader: "ts", format: "esm", target: "node20", logLevel: "silent" });
    return [];
  } catch (error) {
    const { hfPosition } = await import("./codegen.js");
    const consumer = new SourceMap(map as never);
    return ((error as { errors?: Message[] }).errors ?? []).map((message) => {
      const location = message.location;
      if (!location) return { text: message.text };
      // esbuild counts columns in UTF-8 bytes; the source map, in UTF-16 units.
      const generatedColumn = Buffer.from(location.lineText).subarray(0, location.column).toString().length;
      const at = hfPosition(consumer, text, location.line - 1, generatedColumn);
      if (!at) return { text: message.text };
      return { text: message.text, location: { file: shown, line: at.line, column: at.column - 1, lineText: lineOf(text, at.line) } };
    });
  }
}

const lineOf = (text: string, line: number) => text.split("\n")[line - 1] ?? "";
