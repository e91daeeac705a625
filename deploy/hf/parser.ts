/**
 * The `.hf` parser: text to hf/ast.ts, in one pass over the characters. Operator arguments,
 * schemas and imports are TypeScript, kept as text (scanned only to find where they end, so
 * parentheses in strings, templates, comments and regular expressions do not end them early)
 * and checked later by esbuild, at their own positions.
 *
 *     program   = import* (module | statement)*
 *     module    = "module" name "(" [param ("," param)* [","]] ")" "{" statement* "}"
 *     param     = ("input" | "output") name ":" typescript
 *     statement = [name "="] step ("->" step)* ";"
 *     step      = ["[" port "]"] (operator | name) ["[" port "]"]
 *     operator  = name ["::" "<" lifetime ("," lifetime)* ">"] "(" [typescript ("," typescript)*] ")"
 */
import type { Code, Module, NameUse, OperatorUse, Param, Pipeline, PortLabel, Position, Program, Statement, Step } from "./ast.js";
import { HfError } from "./errors.js";

export function parse(text: string, file: string): Program {
  return new Parser(text, file).program();
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
const CLOSING: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
/** Words after which a `/` begins a regular expression. */
const REGEX_KEYWORDS = new Set(["return", "typeof", "case", "void", "delete", "throw", "in", "of", "await", "yield", "new", "instanceof", "do", "else"]);

class Parser {
  private offset = 0;
  private line = 1;
  private column = 1;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  program(): Program {
    const imports: Code[] = [];
    const modules: Module[] = [];
    const topLevel: Statement[] = [];
    this.skipSpace();
    while (this.peekWord() === "import") {
      imports.push(this.importStatement());
      this.skipSpace();
    }
    const start = this.position();
    while (!this.atEnd()) {
      if (this.peekWord() === "import") this.fail(this.position(), "imports go at the top of the file, before any module or statement");
      if (this.peekWord() === "module") modules.push(this.module());
      else topLevel.push(this.statement());
      this.skipSpace();
    }
    const defined = new Map<string, Module>();
    for (const module of modules) {
      const earlier = defined.get(module.name);
      if (earlier) this.fail(module.at, `module ${module.name} is already defined (at ${earlier.at.line}:${earlier.at.column})`);
      defined.set(module.name, module);
    }
    if (topLevel.length > 0) {
      if (modules.some((module) => module.name === "main"))
        this.fail(topLevel[0]!.at, "statements outside a module make an implicit `module main`, but the file also defines one");
      modules.push({ name: "main", params: [], statements: topLevel, at: start });
    }
    return { imports, modules };
  }

  /** `import … from "x";`, `import "x";`: up to the module specifier (and a `;`). */
  private importStatement(): Code {
    const at = this.position();
    const begin = this.offset;
    this.advance("import".length);
    for (;;) {
      this.skipSpace();
      if (this.atEnd()) this.fail(at, "unfinished import: expected a module name in quotes");
      const char = this.peek();
      if (char === '"' || char === "'") {
        this.skipString(char);
        break;
      }
      if (char === ";") this.fail(this.position(), "unfinished import: expected a module name in quotes before ';'");
      if (char in CLOSING) this.skipBalanced();
      else this.advance(1);
    }
    this.skipSpaceOnLine();
    if (this.peek() === ";") this.advance(1);
    return { text: this.text.slice(begin, this.offset), at };
  }

  private module(): Module {
    const at = this.position();
    this.advance("module".length);
    this.skipSpace();
    const name = this.identifier("a module name");
    this.skipSpace();
    this.expect("(", `'(' after module ${name.text}`);
    const params: Param[] = [];
    for (;;) {
      this.skipSpace();
      if (this.peek() === ")") break;
      params.push(this.param());
      this.skipSpace();
      if (this.peek() === ",") this.advance(1);
      else if (this.peek() !== ")") this.fail(this.position(), `expected ',' or ')' after a parameter of module ${name.text}, found ${this.describeHere()}`);
    }
    this.advance(1);
    this.skipSpace();
    this.expect("{", `'{' to begin module ${name.text}'s body`);
    const statements: Statement[] = [];
    for (;;) {
      this.skipSpace();
      if (this.atEnd()) this.fail(at, `module ${name.text} is not closed: expected '}'`);
      if (this.peek() === "}") break;
      statements.push(this.statement());
    }
    this.advance(1);
    return { name: name.text, params, statements, at };
  }

  private param(): Param {
    const at = this.position();
    const direction = this.identifier("'input' or 'output'");
    if (direction.text !== "input" && direction.text !== "output")
      this.fail(direction.at, `expected 'input' or 'output' before a module parameter, found '${direction.text}'`);
    this.skipSpace();
    const name = this.identifier(`the name of the ${direction.text}`);
    this.skipSpace();
    this.expect(":", `':' and a schema after ${direction.text} ${name.text}`);
    this.skipSpace();
    const schema = this.typescript([",", ")"]);
    if (!schema.text.trim()) this.fail(schema.at, `${direction.text} ${name.text} needs a schema: \`${direction.text} ${name.text}: MySchema\``);
    return { direction: direction.text, name: name.text, schema, at };
  }

  private statement(): Statement {
    const at = this.position();
    let name: Statement["name"];
    const save = this.mark();
    if (IDENT_START.test(this.peek())) {
      const word = this.identifier("a name");
      this.skipSpace();
      if (this.peek() === "=" && this.text[this.offset + 1] !== ">" && this.text[this.offset + 1] !== "=") {
        this.advance(1);
        name = word;
      } else this.reset(save);
    }
    const pipeline = this.pipeline();
    this.skipSpace();
    if (this.peek() !== ";") this.fail(this.position(), `expected '->' or ';', found ${this.describeHere()}`);
    this.advance(1);
    return { ...(name ? { name } : {}), pipeline, at };
  }

  private pipeline(): Pipeline {
    const steps = [this.step()];
    for (;;) {
      this.skipSpace();
      if (!this.text.startsWith("->", this.offset)) return { steps };
      this.advance(2);
      steps.push(this.step());
    }
  }

  private step(): Step {
    this.skipSpace();
    const inPort = this.peek() === "[" ? this.port() : undefined;
    this.skipSpace();
    const node = this.operatorOrName();
    // `t[0]` or `t [0]`: after a step, only its output port can begin with '['.
    const afterNode = this.mark();
    this.skipSpace();
    if (this.peek() !== "[") this.reset(afterNode);
    const outPort = this.peek() === "[" ? this.port() : undefined;
    return { node, ...(inPort ? { inPort } : {}), ...(outPort ? { outPort } : {}) };
  }

  private port(): PortLabel {
    const open = this.position();
    this.advance(1);
    this.skipSpace();
    const at = this.position();
    const label = /^(?:[0-9]+|[A-Za-z_$][A-Za-z0-9_$]*)/.exec(this.text.slice(this.offset))?.[0];
    if (!label) this.fail(at, `expected a port (an index such as 0, or a name) after '[', found ${this.describeHere()}`);
    this.advance(label.length);
    this.skipSpace();
    if (this.peek() !== "]") this.fail(this.position(), `expected ']' to close the port opened at ${open.line}:${open.column}, found ${this.describeHere()}`);
    this.advance(1);
    return { text: label, at };
  }

  private operatorOrName(): OperatorUse | NameUse {
    if (!IDENT_START.test(this.peek())) this.fail(this.position(), `expected an operator or a name, found ${this.describeHere()}`);
    const name = this.identifier("an operator or a name");
    const afterName = this.mark();
    this.skipSpace();
    const lifetimes: OperatorUse["lifetimes"] = [];
    if (this.text.startsWith("::", this.offset)) {
      this.advance(2);
      this.skipSpace();
      this.expect("<", `'<' after '::' (persistence, as in join::<'static>())`);
      for (;;) {
        this.skipSpace();
        const at = this.position();
        if (this.peek() !== "'") this.fail(at, `expected a persistence lifetime such as 'static or 'tick, found ${this.describeHere()}`);
        this.advance(1);
        const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.offset))?.[0];
        if (!word) this.fail(at, `expected a persistence lifetime such as 'static or 'tick, found ${this.describeHere()}`);
        this.advance(word.length);
        lifetimes.push({ text: word, at });
        this.skipSpace();
        if (this.peek() === ",") this.advance(1);
        else if (this.peek() === ">") break;
        else this.fail(this.position(), `expected ',' or '>' in ${name.text}'s persistence, found ${this.describeHere()}`);
      }
      this.advance(1);
      this.skipSpace();
      if (this.peek() !== "(") this.fail(this.position(), `expected '(' after ${name.text}::<…>, found ${this.describeHere()}`);
    }
    if (this.peek() !== "(") {
      this.reset(afterName);
      return { kind: "name", name: name.text, at: name.at };
    }
    return { kind: "operator", name: name.text, lifetimes, args: this.args(name.text), at: name.at };
  }

  /** `( ts, ts, … )`: each argument's text, split at top-level commas. */
  private args(operator: string): Code[] {
    const open = this.position();
    this.advance(1);
    const args: Code[] = [];
    for (;;) {
      this.skipSpace();
      if (this.atEnd()) this.fail(open, `'(' of ${operator}( is not closed`);
      if (this.peek() === ")" && args.length === 0) break;
      const arg = this.typescript([",", ")"], open, operator);
      if (!arg.text.trim()) this.fail(arg.at, `${operator}(): an argument is empty`);
      args.push(arg);
      if (this.peek() === ")") break;
      this.advance(1);
      this.skipSpace();
      // A trailing comma, as TypeScript allows.
      if (this.peek() === ")") break;
    }
    this.advance(1);
    return args;
  }

  /**
   * TypeScript text up to one of `stops` at the top level: strings, templates, comments, regular
   * expressions and brackets are skipped whole. `open` (when given) is the bracket it sits in.
   */
  private typescript(stops: string[], open?: Position, operator?: string): Code {
    const at = this.position();
    const begin = this.offset;
    for (;;) {
      if (this.atEnd()) {
        if (open) this.fail(open, `'(' of ${operator}( is not closed`);
        return { text: this.text.slice(begin, this.offset).trimEnd(), at };
      }
      const char = this.peek();
      if (stops.includes(char)) break;
      if (char === ")" || char === "]" || char === "}") this.fail(this.position(), `unexpected '${char}'${operator ? ` in ${operator}()` : ""}`);
      if (char === '"' || char === "'") this.skipString(char);
      else if (char === "`") this.skipTemplate();
      else if (char === "/" && (this.text[this.offset + 1] === "/" || this.text[this.offset + 1] === "*")) this.skipComment();
      else if (char === "/" && this.regexMayStart(begin)) this.skipRegex();
      else if (char === "<" && this.skipTypeArguments()) continue;
      else if (char in CLOSING) this.skipBalanced();
      else this.advance(1);
    }
    return { text: this.text.slice(begin, this.offset).trimEnd(), at };
  }

  /**
   * Whether a `/` here starts a regular expression rather than a division: it does after an
   * operator, an opening bracket, a comma or a keyword such as `return` (or at the start), not
   * after a value (a name, a number, a closing bracket, a string).
   */
  private regexMayStart(begin: number): boolean {
    let i = this.offset - 1;
    while (i >= begin && /\s/.test(this.text[i]!)) i--;
    if (i < begin) return true;
    const before = this.text[i]!;
    if (!IDENT_PART.test(before)) return /[(,=:[!&|?{};+\-*%<>~^]/.test(before);
    let start = i;
    while (start > begin && IDENT_PART.test(this.text[start - 1]!)) start--;
    return REGEX_KEYWORDS.has(this.text.slice(start, i + 1));
  }

  /**
   * `<…>` right after a name (`new Map<string, number>()`, `as Record<K, V>`): type arguments,
   * whose commas do not split arguments. Skipped whole when they close before anything that ends
   * an argument; otherwise the `<` was a comparison, and false says so (nothing is consumed).
   */
  private skipTypeArguments(): boolean {
    if (!IDENT_PART.test(this.text[this.offset - 1] ?? "") || !/[A-Za-z_$[{(]/.test(this.text[this.offset + 1] ?? "")) return false;
    let depth = 0;
    for (let i = this.offset; i < this.text.length; i++) {
      const char = this.text[i]!;
      if (char === "<") depth++;
      else if (char === ">" && this.text[i - 1] !== "=") {
        if (--depth === 0) {
          this.advance(i + 1 - this.offset);
          return true;
        }
      } else if (/[;)}\]"'`\n]/.test(char) || (char === "=" && this.text[i + 1] !== ">")) return false;
    }
    return false;
  }

  /** From an opening bracket to its match, skipping what is inside (strings, templates, comments too). */
  private skipBalanced(): void {
    const open = this.position();
    const closing = CLOSING[this.peek()]!;
    this.advance(1);
    const inner = this.typescript([closing, ...Object.values(CLOSING).filter((close) => close !== closing)]);
    if (this.atEnd() || this.peek() !== closing) {
      if (this.atEnd()) this.fail(open, `'${this.text[open.offset]}' is not closed`);
      this.fail(this.position(), `expected '${closing}' to close the '${this.text[open.offset]}' at ${open.line}:${open.column}, found '${this.peek()}'`);
    }
    void inner;
    this.advance(1);
  }

  private skipString(quote: string): void {
    const at = this.position();
    this.advance(1);
    for (;;) {
      if (this.atEnd() || this.peek() === "\n") this.fail(at, "unterminated string");
      const char = this.peek();
      this.advance(char === "\\" ? 2 : 1);
      if (char === quote) return;
    }
  }

  private skipTemplate(): void {
    const at = this.position();
    this.advance(1);
    for (;;) {
      if (this.atEnd()) this.fail(at, "unterminated template literal");
      const char = this.peek();
      if (char === "\\") this.advance(2);
      else if (char === "`") return void this.advance(1);
      else if (char === "$" && this.text[this.offset + 1] === "{") {
        this.advance(1);
        this.skipBalanced();
      } else this.advance(1);
    }
  }

  private skipRegex(): void {
    const at = this.position();
    this.advance(1);
    let inClass = false;
    for (;;) {
      if (this.atEnd() || this.peek() === "\n") this.fail(at, "unterminated regular expression");
      const char = this.peek();
      if (char === "\\") this.advance(2);
      else {
        this.advance(1);
        if (char === "[") inClass = true;
        else if (char === "]") inClass = false;
        else if (char === "/" && !inClass) break;
      }
    }
    while (IDENT_PART.test(this.peek())) this.advance(1);
  }

  private skipComment(): void {
    const at = this.position();
    if (this.text[this.offset + 1] === "/") {
      while (!this.atEnd() && this.peek() !== "\n") this.advance(1);
      return;
    }
    const end = this.text.indexOf("*/", this.offset + 2);
    if (end < 0) this.fail(at, "unterminated comment: expected '*/'");
    this.advance(end + 2 - this.offset);
  }

  private skipSpace(): void {
    for (;;) {
      const char = this.peek();
      if (char === " " || char === "\t" || char === "\n" || char === "\r") this.advance(1);
      else if (char === "/" && (this.text[this.offset + 1] === "/" || this.text[this.offset + 1] === "*")) this.skipComment();
      else return;
    }
  }

  private skipSpaceOnLine(): void {
    while (this.peek() === " " || this.peek() === "\t") this.advance(1);
  }

  private identifier(what: string): { text: string; at: Position } {
    const at = this.position();
    const word = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.text.slice(this.offset, this.offset + 256))?.[0];
    if (!word) this.fail(at, `expected ${what}, found ${this.describeHere()}`);
    this.advance(word.length);
    return { text: word, at };
  }

  private expect(char: string, what: string): void {
    if (this.peek() !== char) this.fail(this.position(), `expected ${what}, found ${this.describeHere()}`);
    this.advance(1);
  }

  private peekWord(): string {
    return /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.text.slice(this.offset, this.offset + 64))?.[0] ?? "";
  }

  private peek(): string {
    return this.text[this.offset] ?? "";
  }

  private atEnd(): boolean {
    return this.offset >= this.text.length;
  }

  private advance(count: number): void {
    for (let i = 0; i < count && this.offset < this.text.length; i++) {
      if (this.text[this.offset] === "\n") {
        this.line++;
        this.column = 1;
      } else this.column++;
      this.offset++;
    }
  }

  private position(): Position {
    return { line: this.line, column: this.column, offset: this.offset };
  }

  private mark(): Position {
    return this.position();
  }

  private reset(to: Position): void {
    this.offset = to.offset;
    this.line = to.line;
    this.column = to.column;
  }

  /** What is at the cursor, for an error: a quoted word or character, or the end of the file. */
  private describeHere(): string {
    if (this.atEnd()) return "the end of the file";
    const word = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.text.slice(this.offset, this.offset + 64))?.[0];
    if (word) return `'${word}'`;
    const char = this.peek();
    return char === "\n" ? "a line break" : `'${char}'`;
  }

  private fail(at: Position, problem: string): never {
    throw new HfError(this.file, at, problem);
  }
}
