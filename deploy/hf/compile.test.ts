/** What the `.hf` compiler refuses after parsing: a table of programs, each with its exact one-line error and position. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileHf } from "./compile.js";
import { HfError } from "./errors.js";

const refused: Array<[string, string, string]> = [
  ["an unknown operator, with the closest names", "source_iter([1]) -> maps((x) => x) -> null();", "p.hf:1:21: unknown operator maps(); did you mean map()?"],
  ["an unknown operator, nothing close", "source_iter([1]) -> frobnicate() -> null();", "p.hf:1:21: unknown operator frobnicate()"],
  ["too many arguments", "source_iter([1]) -> map((x) => x, 2) -> null();", "p.hf:1:21: map() takes 1 argument, got 2"],
  ["too few arguments", "source_iter([1]) -> fold(() => 0) -> null();", "p.hf:1:21: fold() takes 2 arguments, got 1"],
  ["a lifetime where none is taken", "source_iter([1]) -> map::<'static>((x) => x) -> null();", "p.hf:1:27: map() takes no persistence lifetime"],
  [
    "three lifetimes on a join",
    "j = join::<'static, 'tick, 'tick>() -> null(); source_iter([]) -> [0]j; source_iter([]) -> [1]j;",
    "p.hf:1:28: join() takes at most 2 persistence lifetimes",
  ],
  ["an unknown lifetime", "source_iter([1]) -> unique::<'forever>() -> null();", "p.hf:1:30: unknown persistence 'forever: use 'tick or 'static"],
  ["persist per tick", "source_iter([1]) -> persist::<'tick>() -> null();", "p.hf:1:31: persist() keeps items for the flow's life: only 'static"],
  [
    "an unknown name, with the closest",
    "numbers = source_iter([1]); numbrs -> null();",
    "p.hf:1:29: unknown name numbrs: not a variable or a port of module main; did you mean numbers?",
  ],
  [
    "an operator written as a name",
    "source_iter([1]) -> null;",
    "p.hf:1:21: unknown name null (the operator is written null(…)): not a variable or a port of module main",
  ],
  ["a variable defined twice", "x = source_iter([1]);\nx = source_iter([2]);\nx -> null();", "p.hf:2:1: x is already defined (at 1:1)"],
  ["a variable defined as itself", "x = x;\nsource_iter([1]) -> x;", "p.hf:1:5: x is defined as itself"],
  ["an unused output", "source_iter([1]) -> map((x) => x);", "p.hf:1:21: the output of map() is not used: send it on, or end the pipeline with null()"],
  ["a sink sending on", "source_iter([1]) -> for_each((x) => x) -> null();", "p.hf:1:43: for_each() is a sink: it has no output to send on"],
  [
    "two inputs into a one-input operator",
    "m = map((x) => x) -> null();\nsource_iter([1]) -> m;\nsource_iter([2]) -> m;",
    "p.hf:3:21: map() has 2 inputs; merge them first with union()",
  ],
  ["a join with one input", "j = join() -> null();\nsource_iter([]) -> [0]j;", "p.hf:1:5: join(): its input [1] is not connected"],
  ["a join input without a port", "j = join() -> null();\nsource_iter([]) -> j;", "p.hf:1:5: join() has inputs [0] and [1]: say which, as in -> [0]name"],
  ["a join input that does not exist", "j = join() -> null();\nsource_iter([]) -> [2]j;", "p.hf:2:21: join() has no input [2]; its inputs are [0] and [1]"],
  [
    "an anti_join's [0] is its [pos]: the same port twice",
    "a = anti_join() -> null();\nsource_iter([]) -> [pos]a;\nsource_iter([]) -> [0]a;",
    "p.hf:3:21: anti_join(): its input [pos] is connected twice; merge them first with union()",
  ],
  ["sending into a source", "source_iter([1]) -> source_iter([2]) -> null();", "p.hf:1:21: source_iter() is a source: nothing can be sent into it"],
  [
    "an output port on a one-output operator",
    "m = source_iter([1]) -> map((x) => x);\nm[1] -> null();",
    "p.hf:2:3: map() has one output: [1] names none (use it several times, or tee())",
  ],
  [
    "a demux output without its name",
    "d = source_iter([1]) -> demux((x, out) => out.a(x));\nd -> null();",
    "p.hf:2:6: demux() has named outputs: say which, as in name[Put] -> …",
  ],
  [
    "an input used as a receiver",
    'import { z } from "zod";\nmodule main(input inbound: z.any()) { source_iter([1]) -> inbound; inbound -> null(); }',
    "p.hf:2:59: inbound is an input of module main: it can only send (inbound -> …)",
  ],
  [
    "an output used as a sender",
    "module main(output outbound: S) { outbound -> null(); }",
    "p.hf:1:35: outbound is an output of module main: it can only receive (… -> outbound)",
  ],
  ["an unused input", "module main(input inbound: S) { source_iter([1]) -> null(); }", "p.hf:1:13: input inbound of module main is not used"],
  ["an output sent nothing", "module main(output outbound: S) { source_iter([1]) -> null(); }", "p.hf:1:13: output outbound of module main is sent nothing"],
  ["two parameters of one name", "module main(input a: S, output a: S) { a -> a; }", "p.hf:1:25: module main has two parameters named a"],
  [
    "a cycle nothing enters",
    "x = map((v) => v) -> map((v) => v) -> x;",
    "p.hf:1:5: map() is on a cycle that no union(), join() or other multi-input operator enters",
  ],
  [
    "no module main",
    "module other() { source_iter([1]) -> null(); }",
    "p.hf:1:1: no module main: a deployable .hf program has `module main(…) { … }` (or statements at the top level)",
  ],
  [
    "a module of two inputs used without naming one",
    "module both(input a: S, input b: S, output c: S) { a -> c; b -> c; }\nsource_iter([1]) -> both() -> null();",
    "p.hf:2:21: module both has 2 inputs ([a], [b]): say which, as in [a]both()",
  ],
  [
    "a module's port that does not exist",
    "module one(input a: S, output b: S) { a -> b; }\nsource_iter([1]) -> [z]one() -> null();",
    "p.hf:2:22: module one has no input [z]; its inputs: [a]",
  ],
  [
    "a module using itself",
    "module loop(input a: S, output b: S) { a -> loop() -> b; }\nsource_iter([1]) -> loop() -> null();",
    "p.hf:1:45: module loop uses itself (loop → loop)",
  ],
  [
    "a module given arguments",
    "module one(input a: S, output b: S) { a -> b; }\nsource_iter([1]) -> one(2) -> null();",
    "p.hf:2:21: module one is used as one(): it takes no arguments or lifetimes",
  ],
  [
    "a module's input it does not use",
    "module one(input a: S, output b: S) { source_iter([1]) -> b; }\nsource_iter([1]) -> one() -> null();",
    "p.hf:1:12: input a of module one is not used",
  ],
  ["a name alone", "source_iter([1]) -> null();\nnonexistent;", "p.hf:2:1: nonexistent; does nothing: connect it, as in nonexistent -> …"],
  ["an alias of nothing", "x = nonexistent;\nsource_iter([1]) -> null();", "p.hf:1:5: unknown name nonexistent: not a variable or a port of module main"],
  ["an input port at the start of a pipeline", "[1]source_iter([1]) -> null();", "p.hf:1:2: [1] begins a pipeline that nothing sends into"],
  ["an output port at the end of a pipeline", "source_iter([1]) -> for_each((x) => x)[foo];", "p.hf:1:40: [foo] ends a pipeline that sends nowhere"],
  ["an output port on a sink", "f = source_iter([1]) -> for_each((x) => x);\nf[a] -> null();", "p.hf:2:3: for_each() is a sink: it has no output [a]"],
  [
    "a module defined twice",
    "module f(input a: S, output b: S) { a -> b; }\nmodule f(input a: S, output b: S) { a -> b; }\nsource_iter([1]) -> null();",
    "p.hf:2:1: module f is already defined (at 1:1)",
  ],
  [
    "a module named like an operator",
    "module null(input a: S) { a -> for_each((x) => x); }\nsource_iter([1]) -> null();",
    "p.hf:1:1: module null has the name of an operator: name it otherwise",
  ],
  [
    "a module nobody uses, with an unknown operator",
    "module spare(input a: S, output b: S) { a -> flatmap((x) => [x]) -> b; }\nsource_iter([1]) -> null();",
    "p.hf:1:46: unknown operator flatmap(); did you mean flat_map()?",
  ],
  [
    "brackets thousands deep",
    `source_iter(${"[".repeat(5000)}${"]".repeat(5000)}) -> null();`,
    "p.hf:1:1: nested too deeply to compile (brackets or modules thousands deep)",
  ],
];

describe(".hf compiler: what it refuses", () => {
  for (const [name, text, expected] of refused) {
    test(name, () => {
      assert.throws(
        () => compileHf(text, "p.hf"),
        (error: Error) => error instanceof HfError && error.message === expected,
        `expected: ${expected}`,
      );
    });
  }
});
