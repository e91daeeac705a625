import fs from "node:fs";
import path from "node:path";
import { SourceMap } from "node:module";
import { compileHf } from "./compile.js";
import { hfPosition } from "./codegen.js";
import { HfError } from "./errors.js";
import { HydroError } from "../errors.js";
import { apiModule, packageRoot, runtimeSource } from "../paths.js";

/**
 * `hydro check`: each `.hf` file compiled, then type-checked by TypeScript (strict) as the module
 * it becomes, each problem said at its `.hf` position through the generated code's source map:
 * `echo_server.hf:8:31: error TS2339: Property 'txt' does not exist on type '…'`. Problems in the
 * TypeScript files it imports are said at theirs. TypeScript is loaded only here (a peer dependency).
 */
export async function typecheckHf(files: readonly string[]): Promise<string[]> {
  const ts = await import("typescript").then(
    (module) => module.default ?? module,
    () => {
      throw new HydroError("hydro check needs TypeScript: npm install --save-dev typescript");
    },
  );
  const problems: string[] = [];
  const generated = new Map<string, { hf: string; text: string; map: SourceMap }>();
  /** The generated modules' code, by the path TypeScript knows them by. */
  const generatedCode = new Map<string, string>();
  for (const file of files) {
    const absolute = path.resolve(file);
    let text: string;
    try {
      text = fs.readFileSync(absolute, "utf8");
    } catch (error) {
      problems.push(`${file}: cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      continue;
    }
    try {
      const { code, map } = compileHf(text, file);
      // Beside the .hf file, so its relative imports resolve; .mts, so it is a module wherever it is.
      generated.set(`${absolute}.mts`, { hf: file, text, map: new SourceMap(map as never) });
      generatedCode.set(`${absolute}.mts`, code);
    } catch (error) {
      if (!(error instanceof HfError)) throw error;
      problems.push(`${error.message}`);
    }
  }
  if (generated.size === 0) return problems;

  const options = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: typeRoots(files),
    paths: { "hydro-deploy": [apiModule], "hydro-deploy/runtime": [runtimeSource("index.ts")] },
  } satisfies import("typescript").CompilerOptions;
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => generatedCode.get(path.resolve(name)) ?? readFile(name);
  host.fileExists = (name) => generatedCode.has(path.resolve(name)) || fileExists(name);
  host.getSourceFile = (name, language, ...rest) => {
    const code = generatedCode.get(path.resolve(name));
    return code === undefined ? getSourceFile(name, language, ...rest) : ts.createSourceFile(name, code, language);
  };
  const program = ts.createProgram([...generated.keys()], options, host);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
    const code = `error TS${diagnostic.code}`;
    if (!diagnostic.file || diagnostic.start === undefined) {
      problems.push(`${code}: ${message}`);
      continue;
    }
    const at = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const from = generated.get(path.resolve(diagnostic.file.fileName));
    if (!from) {
      problems.push(`${path.relative(process.cwd(), diagnostic.file.fileName)}:${at.line + 1}:${at.character + 1}: ${code}: ${message}`);
      continue;
    }
    const { line, column } = hfPosition(from.map, from.text, at.line, at.character) ?? { line: 1, column: 1 };
    problems.push(`${from.hf}:${line}:${column}: ${code}: ${message}`);
  }
  return problems;
}

/** Where `@types/node` may be: node_modules/@types beside the programs or above them, and hydro-deploy's own. */
function typeRoots(files: readonly string[]): string[] {
  const roots = new Set<string>();
  for (const start of [...files.map((file) => path.dirname(path.resolve(file))), packageRoot]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, "node_modules", "@types");
      if (fs.existsSync(candidate)) roots.add(candidate);
      if (path.dirname(dir) === dir) break;
    }
  }
  return [...roots];
}
