import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { commandLine } from "./quote.js";

// What the login shell of an SSH host does with a command line we build: run through real shells.
const shells = ["dash", "bash"].filter((shell) => {
  try {
    execFileSync(shell, ["-c", "true"]);
    return true;
  } catch {
    return false;
  }
});

/** Prints its arguments and the values of the given variables as JSON. */
const printer = (keys: string[]) => [
  "python3",
  "-c",
  `import sys, os, json; print(json.dumps([sys.argv[1:], {k: os.environ.get(k) for k in ${JSON.stringify(keys)}}]))`,
];

const hostile = [
  "$(echo pwned)",
  "`echo pwned`",
  "it's",
  "'",
  '"$HOME"',
  "-Sfoo",
  "--",
  "FOO=bar",
  "a\nb",
  "*",
  "~",
  "{port:main}",
  "; echo pwned",
  "&& echo pwned",
  "| cat",
  "\\",
  "",
  " leading and trailing ",
  "ünïcødé",
];

describe("remote command lines survive hostile words", () => {
  for (const shell of shells) {
    test(`through ${shell}: arguments and environment values arrive verbatim`, () => {
      const env = Object.fromEntries(hostile.map((value, i) => [`HOSTILE_${i}`, value]));
      const output = execFileSync(shell, ["-c", commandLine([...printer(Object.keys(env)), ...hostile], env)], { encoding: "utf8", cwd: "/tmp" });
      assert.deepEqual(JSON.parse(output), [hostile, env]);
    });

    test(`through ${shell}: an argv[0] with '=' is run as a program, not taken as an assignment`, () => {
      let failure: { status: number; stderr: string } | undefined;
      try {
        execFileSync(shell, ["-c", commandLine(["FOO=bar", "true"], { A: "1" })], { encoding: "utf8", stdio: "pipe" });
      } catch (error) {
        failure = error as { status: number; stderr: string };
      }
      assert.equal(failure?.status, 127, "the shell should report FOO=bar as a command not found");
    });
  }
});
