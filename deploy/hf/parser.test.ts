/** The `.hf` parser, a construct per test, then a table of malformed programs, each with its one-line error and position. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "./parser.js";
import { HfError } from "./errors.js";
import type { OperatorUse, Step } from "./ast.js";

const op = (step: Step) => step.node as OperatorUse;

describe(".hf parser", () => {
  test("the seed's echo server: an import, module main with ports, a tee, output and input ports, TS closures", () => {
    const program = parse(
      [
        'import { Ping, Echo } from "./messages.js";',
        "",
        "module main(input inbound: Ping, output outbound: Echo) {",
        "    inbound_chan = inbound -> tee();",
        "    inbound_chan[0] -> for_each(([msg, addr]) => console.log(`${addr}: got ${msg.text}`));",
        "    inbound_chan[1] -> map(([msg, addr]) => [{ ...msg, echoedAt: Date.now() }, addr]) -> outbound;",
        "}",
      ].join("\n"),
      "echo_server.hf",
    );
    assert.deepEqual(
      program.imports.map((code) => [code.text, code.at.line]),
      [['import { Ping, Echo } from "./messages.js";', 1]],
    );
    const [main] = program.modules;
    assert.equal(main!.name, "main");
    assert.deepEqual(
      main!.params.map((param) => [param.direction, param.name, param.schema.text, param.at.line, param.at.column]),
      [
        ["input", "inbound", "Ping", 3, 13],
        ["output", "outbound", "Echo", 3, 34],
      ],
    );
    const [first, second, third] = main!.statements;
    assert.equal(first!.name!.text, "inbound_chan");
    assert.deepEqual(
      first!.pipeline.steps.map((step) => step.node.kind + ":" + (step.node as { name: string }).name),
      ["name:inbound", "operator:tee"],
    );
    assert.deepEqual(second!.pipeline.steps[0]!.outPort, { text: "0", at: { line: 5, column: 18, offset: second!.pipeline.steps[0]!.outPort!.at.offset } });
    const forEach = op(second!.pipeline.steps[1]!);
    assert.equal(forEach.args[0]!.text, "([msg, addr]) => console.log(`${addr}: got ${msg.text}`)");
    assert.deepEqual([forEach.args[0]!.at.line, forEach.args[0]!.at.column], [5, 33]);
    assert.equal(op(third!.pipeline.steps[1]!).args[0]!.text, "([msg, addr]) => [{ ...msg, echoedAt: Date.now() }, addr]");
    assert.deepEqual((third!.pipeline.steps[2]!.node as { name: string }).name, "outbound");
  });

  test("the talk's KVS: input ports by index, persistence lifetimes, named output ports", () => {
    const program = parse(
      [
        "puts -> [0]lookup;",
        "gets -> [1]lookup;",
        "lookup = join::<'static, 'tick>() -> for_each((item) => console.log(item));",
        'requests = source_iter(items) -> demux_enum("kind");',
        "requests[Put] -> puts;",
      ].join("\n"),
      "kvs.hf",
    );
    const [main] = program.modules;
    assert.equal(main!.name, "main", "top-level statements make module main");
    assert.deepEqual(main!.statements[0]!.pipeline.steps[1]!.inPort?.text, "0");
    const join = op(main!.statements[2]!.pipeline.steps[0]!);
    assert.deepEqual(
      join.lifetimes.map((lifetime) => lifetime.text),
      ["static", "tick"],
    );
    assert.equal(main!.statements[4]!.pipeline.steps[0]!.outPort?.text, "Put");
  });

  test("arguments: split at top-level commas only; strings, templates, regexes, comments and brackets kept whole; a trailing comma", () => {
    const [main] = parse(
      ['source_iter([1, 2, 3]) -> fold(() => ({ a: [1, 2], s: "),(" }), (acc, x) => /[,)]/.test(`${x},)`) ? acc : acc, /* a, comment) */) -> null();'].join(
        "\n",
      ),
      "args.hf",
    ).modules;
    const fold = op(main!.statements[0]!.pipeline.steps[1]!);
    assert.deepEqual(
      fold.args.map((arg) => arg.text),
      ['() => ({ a: [1, 2], s: "),(" })', "(acc, x) => /[,)]/.test(`${x},)`) ? acc : acc, /* a, comment) */".split(", /*")[0]!],
    );
    assert.equal(op(main!.statements[0]!.pipeline.steps[0]!).args[0]!.text, "[1, 2, 3]");
  });

  test("TypeScript's harder corners: a division after a bracket, a regex after return, commas inside type arguments, a port after a space", () => {
    const steps = (text: string) => parse(text, "ts.hf").modules[0]!.statements[0]!.pipeline.steps;
    const argsOf = (text: string) => op(steps(text)[1]!).args.map((arg) => arg.text);
    assert.deepEqual(argsOf("source_iter([1]) -> map((x) => (x + 1) / 2 + x[0] / 2) -> null();"), ["(x) => (x + 1) / 2 + x[0] / 2"]);
    assert.deepEqual(argsOf("source_iter(['a']) -> filter((s) => { return /[)]/.test(s); }) -> null();"), ["(s) => { return /[)]/.test(s); }"]);
    assert.deepEqual(argsOf("source_iter([1]) -> fold(() => new Map<string, number>(), (m) => m) -> null();"), ["() => new Map<string, number>()", "(m) => m"]);
    assert.deepEqual(argsOf("source_iter([1]) -> filter((x) => x < 3, ) -> null();"), ["(x) => x < 3"]);
    assert.equal(steps("t = source_iter([1]) -> tee();\nt [0] -> null();")[0]!.outPort, undefined);
    assert.equal(
      parse("t = source_iter([1]) -> tee();\nt /* first */ [0] -> null();", "ts.hf").modules[0]!.statements[1]!.pipeline.steps[0]!.outPort?.text,
      "0",
    );
  });

  test("modules other than main, several per file; comments anywhere; a division is not a regex", () => {
    const program = parse(
      [
        "// a file of two modules",
        "module halve(input numbers: Numbers, output halves: Numbers) {",
        "  numbers -> map((x) => x / 2 / 1) -> halves; /* done */",
        "}",
        "module main() { source_iter([4]) -> halve() -> for_each(console.log); }",
      ].join("\n"),
      "modules.hf",
    );
    assert.deepEqual(
      program.modules.map((module) => module.name),
      ["halve", "main"],
    );
    assert.equal(op(program.modules[0]!.statements[0]!.pipeline.steps[1]!).args[0]!.text, "(x) => x / 2 / 1");
  });

  const malformed: Array<[string, string, string]> = [
    ["a missing semicolon", "source_iter([1]) -> null()\nsource_iter([2]) -> null();", "bad.hf:2:1: expected '->' or ';', found 'source_iter'"],
    ["an unclosed argument list", "source_iter([1]) -> map((x) => x;", "bad.hf:1:24: '(' of map( is not closed"],
    ["a stray closing bracket", "source_iter([1]) -> map(x => x]) -> null();", "bad.hf:1:31: unexpected ']' in map()"],
    ["an unterminated string", 'source_iter(["a) -> null();', "bad.hf:1:14: unterminated string"],
    ["an unterminated template", "source_iter([`a]) -> null();", "bad.hf:1:14: unterminated template literal"],
    ["an unterminated comment", "source_iter([1]) /* -> null();", "bad.hf:1:18: unterminated comment: expected '*/'"],
    ["an arrow without a step", "source_iter([1]) -> ;", "bad.hf:1:21: expected an operator or a name, found ';'"],
    ["a port that is not a label", "x[1 + 1] -> null();", "bad.hf:1:5: expected ']' to close the port opened at 1:2, found '+'"],
    ["an empty port", "x[] -> null();", "bad.hf:1:3: expected a port (an index such as 0, or a name) after '[', found ']'"],
    ["a lifetime without a quote", "j = join::<static>();", "bad.hf:1:12: expected a persistence lifetime such as 'static or 'tick, found 'static'"],
    ["lifetimes on a name", "j::<'static> -> null();", "bad.hf:1:14: expected '(' after j::<…>, found '-'"],
    ["an empty argument", "source_iter([1], ) -> fold(, (a) => a) -> null();", "bad.hf:1:28: fold(): an argument is empty"],
    [
      "a module parameter without a direction",
      "module main(inbound: Ping) { }",
      "bad.hf:1:13: expected 'input' or 'output' before a module parameter, found 'inbound'",
    ],
    ["a module parameter without a schema", "module main(input inbound) { }", "bad.hf:1:26: expected ':' and a schema after input inbound, found ')'"],
    ["an unclosed module", "module main() {\n  source_iter([1]) -> null();\n", "bad.hf:1:1: module main is not closed: expected '}'"],
    [
      "an import after a statement",
      'source_iter([1]) -> null();\nimport { x } from "y";',
      "bad.hf:2:1: imports go at the top of the file, before any module or statement",
    ],
    ["an import without a module name", "import { x };", "bad.hf:1:13: unfinished import: expected a module name in quotes before ';'"],
    [
      "top-level statements beside module main",
      "module main() { }\nsource_iter([1]) -> null();",
      "bad.hf:2:1: statements outside a module make an implicit `module main`, but the file also defines one",
    ],
  ];
  for (const [name, text, expected] of malformed) {
    test(`malformed: ${name}`, () => {
      assert.throws(
        () => parse(text, "bad.hf"),
        (error: Error) => error instanceof HfError && error.message === expected,
        `expected: ${expected}`,
      );
    });
  }
});
