import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Deployment } from "../deployment.js";
import { fixture, hydro, tempDir } from "../../test/helpers.js";

describe("clusters", () => {
  test("members know their id; the script reaches one by id; every member reaches every member; a merge names the member", async () => {
    const d = new Deployment();
    const members = d.cluster({ name: "member", src: fixture("member.ts"), on: d.localhost(), count: 3 });
    const me = d.external({ name: "script" });
    me.ports.ask.connect(members.ports.asks);
    members.ports.answers.connect(me.ports.answers);
    members.ports.toPeers.connect(members.ports.fromPeers);
    assert.deepEqual(
      members.members.map((member) => member.name),
      ["member.0", "member.1", "member.2"],
    );
    try {
      await d.deploy();
      me.ports.ask.send("who?", { to: "1" });
      const heard = new Set<string>();
      let answered: unknown;
      for await (const { from, data } of me.ports.answers) {
        assert.equal(from, data.name, "a merge's from is the member's name");
        if (data.text.startsWith("heard")) heard.add(`${data.name} ${data.text}`);
        else answered = data;
        if (heard.size === 9 && answered) break;
      }
      assert.deepEqual(answered, { name: "member.1", id: 1, size: 3, text: "answer to who?" });
      const expected = [0, 1, 2].flatMap((to) => [0, 1, 2].map((by) => `member.${to} heard ${by} from member.${by}`));
      assert.deepEqual([...heard].sort(), expected.sort());
    } finally {
      await d.teardown();
    }
  });

  test("broadcast: the script reaches every member; a member's broadcast to its own cluster may skip itself; `to` may be a number", async () => {
    const d = new Deployment();
    const members = d.cluster({ name: "member", src: fixture("member.ts"), on: d.localhost(), count: 3, args: ["--not-self"] });
    const me = d.external({ name: "script" });
    me.ports.ask.connect(members.ports.asks);
    members.ports.answers.connect(me.ports.answers);
    members.ports.toPeers.connect(members.ports.fromPeers);
    try {
      await d.deploy();
      me.ports.ask.broadcast("all?");
      me.ports.ask.send("two?", { to: 2 });
      const heard = new Set<string>();
      const answers: string[] = [];
      for await (const { data } of me.ports.answers) {
        if (data.text.startsWith("heard")) heard.add(`${data.name} ${data.text}`);
        else answers.push(`${data.name} ${data.text}`);
        if (heard.size === 6 && answers.length === 4) break;
      }
      assert.deepEqual(answers.sort(), ["member.0 answer to all?", "member.1 answer to all?", "member.2 answer to all?", "member.2 answer to two?"]);
      const expected = [0, 1, 2].flatMap((to) => [0, 1, 2].filter((by) => by !== to).map((by) => `member.${to} heard ${by} from member.${by}`));
      assert.deepEqual([...heard].sort(), expected.sort());
    } finally {
      await d.teardown();
    }
  });

  test("bad cluster options are one line each", () => {
    const d = new Deployment();
    const cases: Array<[() => unknown, RegExp]> = [
      [() => d.cluster({ src: fixture("member.ts"), on: d.localhost(), count: 0 }), /cluster\(\): count: Too small/],
      [() => d.cluster({ src: fixture("member.ts"), on: [], count: 2 }), /cluster\(\): on: /],
      [() => d.cluster({ src: "./nowhere.ts", on: d.localhost(), count: 2 }), /cluster\(\): src: file not found/],
      [
        () => d.cluster({ src: fixture("member.ts"), on: new Deployment().localhost(), count: 2 }),
        /cluster\(\): on: host "localhost" belongs to another Deployment/,
      ],
      [
        () => {
          d.service({ name: "m.1", src: fixture("relay.ts"), on: d.localhost() });
          d.cluster({ name: "m", src: fixture("member.ts"), on: d.localhost(), count: 2 });
        },
        /the name "m\.1" is already used/,
      ],
    ];
    for (const [declare, message] of cases) assert.throws(declare, message);
  });
});

test("Python: deployment.Cluster(…), its ports, and its members' handles", async () => {
  const dir = tempDir();
  const config = path.join(dir, "cluster.hydro.py");
  fs.writeFileSync(
    config,
    [
      "import hydro",
      "async def main(args):",
      "    d = hydro.Deployment()",
      `    members = d.Cluster(src=${JSON.stringify(fixture("member.ts"))}, on=[d.Localhost()], count=2, name="m")`,
      "    me = d.External(name='script')",
      "    me.ports.ask.connect(members.ports.asks)",
      "    members.ports.answers.connect(me.ports.answers)",
      "    members.ports.toPeers.connect(members.ports.fromPeers)",
      "    await d.deploy()",
      "    await me.ports.ask.send('hi', to='1')",
      "    async for message in me.ports.answers:",
      "        if message.data['text'].startswith('answer'):",
      "            print('answered by', message.sender, message.data['id'], 'of', members.size)",
      "            break",
      "    members.members[0].kill()",
      "    print('member 0 exit', await members.members[0].exit_code())",
    ].join("\n"),
  );
  const result = await hydro(["run", config], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /^answered by m\.1 1 of 2$/m);
  assert.match(result.stdout, /^member 0 exit 137$/m);
});
