// The `filter` query parameter of list and aggregatedList, as the Compute API parses it
// (README §GCE list filters): comparisons `field op value` with = != < > <= >= and `:` (has;
// `:*` tests presence), joined by AND (also implicit) and OR, grouped by parentheses; or the
// older form the gcloud CLI sends, `field eq|ne regex` (whole-value RE2 match), where several
// comparisons must each be parenthesised and the two forms do not mix.
import { invalidField } from "./errors.js";

export type Resource = Readonly<Record<string, unknown>>;
type Predicate = (resource: Resource) => boolean;
type Operator = "=" | "!=" | "<" | ">" | "<=" | ">=" | ":" | "eq" | "ne";

const SYMBOLS: readonly Operator[] = ["!=", "<=", ">=", "=", "<", ">", ":"];
const WORD_END = /[\s()=!<>:]/;
const FIELD = /^[A-Za-z_][\w.-]*$/;

/** Compiles a filter; an empty one matches everything. Throws the API's 400 when malformed. */
export function compileFilter(filter: string | null): Predicate {
  if (filter === null || filter.trim() === "") return () => true;
  try {
    return new FilterParser(filter).parse();
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw invalidField("filter", filter, "Invalid list filter expression.");
  }
}

class FilterParser {
  private position = 0;
  private readonly forms = new Set<"regex" | "comparison">();

  constructor(private readonly text: string) {}

  parse(): Predicate {
    const predicate = this.disjunction(0);
    this.skipSpace();
    if (this.position < this.text.length) throw new SyntaxError(`unexpected '${this.text.slice(this.position)}'`);
    if (this.forms.size > 1) throw new SyntaxError("eq/ne mixed with other operators");
    return predicate;
  }

  private disjunction(depth: number): Predicate {
    const terms = [this.conjunction(depth)];
    while (this.keyword("OR")) terms.push(this.conjunction(depth));
    if (terms.length > 1) this.forms.add("comparison");
    return (resource) => terms.some((term) => term(resource));
  }

  private conjunction(depth: number): Predicate {
    const terms = [this.primary(depth)];
    for (;;) {
      this.skipSpace();
      if (this.position >= this.text.length || this.peek(")") || this.peekKeyword("OR")) break;
      if (this.keyword("AND")) this.forms.add("comparison");
      else if (this.forms.has("regex") && this.text[this.position] !== "(") throw new SyntaxError("eq/ne terms must be parenthesised");
      terms.push(this.primary(depth));
    }
    return (resource) => terms.every((term) => term(resource));
  }

  private primary(depth: number): Predicate {
    this.skipSpace();
    if (this.peek("(")) {
      this.position++;
      const inner = this.disjunction(depth + 1);
      this.skipSpace();
      if (!this.peek(")")) throw new SyntaxError("missing ')'");
      this.position++;
      return inner;
    }
    const field = this.word();
    if (!FIELD.test(field)) throw new SyntaxError("expected a field name");
    const operator = this.operator();
    const value = operator === "eq" || operator === "ne" ? this.regexOperand(depth) : this.operand();
    this.forms.add(operator === "eq" || operator === "ne" ? "regex" : "comparison");
    return comparison(field.split("."), operator, value);
  }

  private operator(): Operator {
    this.skipSpace();
    const symbol = SYMBOLS.find((candidate) => this.text.startsWith(candidate, this.position));
    if (symbol) {
      this.position += symbol.length;
      return symbol;
    }
    if (this.keyword("eq")) return "eq";
    if (this.keyword("ne")) return "ne";
    throw new SyntaxError("expected an operator");
  }

  private operand(): string {
    this.skipSpace();
    const quoted = this.quoted();
    if (quoted !== undefined) return quoted;
    const word = this.word();
    if (!word) throw new SyntaxError("expected a value");
    return word;
  }

  /** A quoted literal, or the unquoted rest of the term (which may hold spaces). */
  private regexOperand(depth: number): string {
    this.skipSpace();
    const quoted = this.quoted();
    if (quoted !== undefined) return quoted;
    const end = depth > 0 ? this.text.indexOf(")", this.position) : this.text.length;
    if (end < 0) throw new SyntaxError("missing ')'");
    const literal = this.text.slice(this.position, end).trim();
    if (!literal) throw new SyntaxError("expected a value");
    this.position = end;
    return literal;
  }

  private quoted(): string | undefined {
    const quote = this.text[this.position];
    if (quote !== '"' && quote !== "'") return undefined;
    let value = "";
    for (let i = this.position + 1; i < this.text.length; i++) {
      const char = this.text[i]!;
      if (char === "\\" && this.text[i + 1] === quote) {
        value += quote;
        i++;
      } else if (char === quote) {
        this.position = i + 1;
        return value;
      } else value += char;
    }
    throw new SyntaxError("unterminated string");
  }

  private word(): string {
    this.skipSpace();
    const start = this.position;
    while (this.position < this.text.length && !WORD_END.test(this.text[this.position]!)) this.position++;
    return this.text.slice(start, this.position);
  }

  private keyword(word: string): boolean {
    if (!this.peekKeyword(word)) return false;
    this.position += word.length;
    return true;
  }

  private peekKeyword(word: string): boolean {
    this.skipSpace();
    return this.text.startsWith(word, this.position) && /[\s("']/.test(this.text[this.position + word.length] ?? "");
  }

  private peek(char: string): boolean {
    return this.text[this.position] === char;
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.position] ?? "")) this.position++;
  }
}

function comparison(path: readonly string[], operator: Operator, operand: string): Predicate {
  const test = valueTest(operator, operand);
  if (operator === "!=" || operator === "ne") return (resource) => !fieldValues(resource, path).some(test);
  return (resource) => fieldValues(resource, path).some(test);
}

function valueTest(operator: Operator, operand: string): (value: string) => boolean {
  switch (operator) {
    case "eq":
    case "ne": {
      const regex = new RegExp(`^(?:${operand})$`);
      return (value) => regex.test(value);
    }
    case ":":
      if (operand === "*") return () => true;
      return globTest(operand);
    case "=":
    case "!=":
      return globTest(operand);
    default:
      return (value) => ordered(operator, value, operand);
  }
}

/** Exact match, where `*` stands for any run of characters. */
function globTest(pattern: string): (value: string) => boolean {
  if (!pattern.includes("*")) return (value) => value === pattern;
  const regex = new RegExp(`^${pattern.split("*").map(escapeRegex).join(".*")}$`);
  return (value) => regex.test(value);
}

function ordered(operator: Operator, value: string, operand: string): boolean {
  const numeric = value.trim() !== "" && operand.trim() !== "" && !Number.isNaN(Number(value)) && !Number.isNaN(Number(operand));
  const order = numeric ? Math.sign(Number(value) - Number(operand)) : value < operand ? -1 : value > operand ? 1 : 0;
  return { "<": order < 0, ">": order > 0, "<=": order <= 0, ">=": order >= 0 }[operator as "<"];
}

/** The scalar values at a dotted path; a list along the way contributes each element's. */
function fieldValues(value: unknown, path: readonly string[]): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => fieldValues(item, path));
  if (path.length === 0) return value === undefined || value === null || typeof value === "object" ? [] : [String(value)];
  if (typeof value !== "object" || value === null) return [];
  return fieldValues((value as Record<string, unknown>)[path[0]!], path.slice(1));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
