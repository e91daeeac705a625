/** `.hf` programs deployed as a user deploys them: the seed's echo from .hf files, in TS and Python configs; errors at .hf positions. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { hydro, repoRoot, tempDir } from "../helpers.js";

const example = (name: string) => path.join(repoRoot, "examples", "echo", name);

describe(".hf programs, deployed", () => {
  test("examples/echo/echo_hf.hydro.ts: the seed's echo server and client from .hf files", async () => {
    const result = await hydro(["run", example("echo_hf.hydro.ts"), "--", "4"]);
    assert.equal(result.exitCode, 0, result.stderr);
    for (let seq = 0; seq < 4; seq++) {
      assert.match(result.stdout, new RegExp(`^\\[echo_server\\] echo_client says: hello ${seq}$`, "m"));
      assert.match(result.stdout, new RegExp(`^\\[echo_client\\] echo ${seq}: [\\d.]+ ms round trip$`, "m"));
    }
  });

  test("examples/echo/echo_hf.hydro.py: the seed's Python script, deployment.Hydroflow(src=…, on=…)", async () => {
    const result = await hydro(["run", example("echo_hf.hydro.py"), "--", "--count", "3"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^client says: echo 2: [\d.]+ ms round trip$/m);
  });

  const broken: Array<[string, string, RegExp]> = [
    [
      "a TypeScript syntax error in a closure",
      "// one\nsource_iter([1])\n  -> map((x) => x +* 2)\n  -> null();\n",
      /^error: service "program" on localhost: cannot bundle \S*program\.hf: \S*program\.hf:3:20: Unexpected "\*"$/m,
    ],
    [
      "an unknown operator",
      "source_iter([1]) -> flatmap((x) => [x]) -> null();\n",
      /^error: service "program" on localhost: cannot bundle \S*program\.hf: \S*program\.hf:1:21: unknown operator flatmap\(\); did you mean flat_map\(\)\?$/m,
    ],
  ];
  for (const [name, text, expected] of broken) {
    test(`${name}: one error line at the .hf position, nothing started`, async () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "program.hf"), text);
      fs.writeFileSync(
        path.join(dir, "run.hydro.ts"),
        'import { Deployment } from "hydro-deploy";\nexport default async function main() {\n  const d = new Deployment();\n  d.service({ src: "./program.hf", on: d.localhost() });\n  await d.deploy();\n}\n',
      );
      const result = await hydro(["run", "run.hydro.ts"], { cwd: dir });
      assert.equal(result.exitCode, 1);
      assert.match(result.stderr, expected);
    });
  }
});

describe(".hf examples", () => {
  test("examples/kvs/simple_kvs.hydro.ts: the talk's KVS from a .hf file, driven by the script", async () => {
    const result = await hydro(["run", path.join(repoRoot, "examples", "kvs", "simple_kvs.hydro.ts")]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^answers: apple = red, banana = yellow; cherry, never put, got none$/m);
  });

  test("examples/reachability/reachability.hf: every vertex reachable from 0, and its picture in Hydroflow's names", async () => {
    const file = path.join(repoRoot, "examples", "reachability", "reachability.hf");
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, "run.hydro.ts"),
      `import { Deployment } from "hydro-deploy";\nexport default async function main() {\n  const d = new Deployment();\n  const r = d.service({ src: ${JSON.stringify(file)}, on: d.localhost() });\n  await d.deploy();\n  if ((await r.exitCode()) !== 0) throw new Error("reachability failed");\n}\n`,
    );
    const run = await hydro(["run", "run.hydro.ts"], { cwd: dir });
    assert.equal(run.exitCode, 0, run.stderr);
    const reached = [...run.stdout.matchAll(/^\[reachability\] Reached: (\d+)$/gm)].map((match) => Number(match[1])).sort();
    assert.deepEqual(reached, [0, 1, 2, 3, 4]);

    const graph = await hydro(["graph", file]);
    assert.equal(graph.exitCode, 0, graph.stderr);
    // The seed's two in-out trees: per subgraph, each operator (its name) with pull or push.
    const trees: string[] = [];
    const names = new Map<string, string>();
    for (const [, body] of graph.stdout.matchAll(/^subgraph [^\n]*\n((?: {4}.*\n)*)end$/gm)) {
      const members = [...body!.matchAll(/^ {4}(n\d+)\[.*?<code>([a-z_]+)[^<]*<\/code>.*:::(pull|push)Class$/gm)];
      for (const [, id, name] of members) names.set(id!, name!);
      trees.push(members.map(([, , name, kind]) => `${name} ${kind}`).join(", "));
    }
    assert.deepEqual(trees, [
      "source_stream pull, source_iter pull, union pull, map pull, join pull, flat_map push, tee push",
      "next_stratum push, unique push, for_each push",
    ]);
    assert.match(graph.stdout, /subgraph sg_0 \["sg_0 stratum 0"\]/);
    assert.match(graph.stdout, /subgraph sg_1 \["sg_1 stratum 1"\]/);
    // The pivot pulls from the join and pushes to the tee; the tee feeds the union and stratum 1 through handoffs.
    const edges = [...graph.stdout.matchAll(/^ *(n\d+)(-->|==>)(?:\|"([^"]*)"\|)?(n\d+)$/gm)].map(
      ([, from, line, label, to]) => `${names.get(from!)} ${line}${label ? ` ${label}` : ""} ${names.get(to!)}`,
    );
    for (const edge of [
      "join --> flat_map",
      "flat_map --> tee",
      "tee ==> union",
      "tee ==> blocking next_stratum",
      "map --> [0]join join",
      "source_stream --> [1]join join",
    ])
      assert.ok(edges.includes(edge), `${edge} in:\n${graph.stdout}`);
    assert.ok(graph.stdout.includes("<code>flat_map(([src, [, dst]]) =&gt; [src, dst])</code>"), graph.stdout);
  });
});

test("a cluster of .hf members: each answers as itself, addressed by id", async () => {
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, "run.hydro.ts"),
    [
      'import { Deployment } from "hydro-deploy";',
      "export default async function main() {",
      "  const d = new Deployment();",
      `  const members = d.cluster({ src: ${JSON.stringify(path.join(repoRoot, "test", "fixtures", "member.hf"))}, on: d.localhost(), count: 2, name: "m" });`,
      '  const me = d.external({ name: "script" });',
      "  me.ports.asks.connect(members.ports.asks);",
      "  members.ports.answers.connect(me.ports.answers);",
      "  await d.deploy();",
      "  for (const id of [0, 1]) me.ports.asks.send(`question ${id}`, { to: id });",
      "  const answers = me.ports.answers[Symbol.asyncIterator]();",
      "  const got = [(await answers.next()).value.data, (await answers.next()).value.data].sort();",
      "  console.log(got.join(' | '));",
      "}",
    ].join("\n"),
  );
  const result = await hydro(["run", "run.hydro.ts"], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /^m\.0 \(0 of 2\) answers question 0 \| m\.1 \(1 of 2\) answers question 1$/m);
});
