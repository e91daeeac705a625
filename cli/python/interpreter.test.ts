import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { pythonInterpreter } from "./interpreter.js";
import { tempDir } from "../../test/helpers.js";

/**
 * A pyenv root of its own per case: `shims/python3` as `pyenv rehash` writes it, pyenv's own libexec
 * (this machine's pyenv, linked), and versions whose `bin/python3` prints which version ran, with
 * the PYENV_VERSION and first PATH entry it was given. The pick is compared with what the real
 * shim runs.
 */
const machinePyenv = (() => {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const pyenv = path.join(dir, "pyenv");
    if (fs.existsSync(pyenv)) return path.dirname(fs.realpathSync(pyenv));
  }
  return undefined;
})();

interface Setup {
  /** Files to write, relative to the case's directory (`root/` is the pyenv root, `work/` the working directory). */
  files?: Record<string, string>;
  env?: Record<string, string>;
}

function makeCase({ files = {} }: Setup) {
  const base = fs.realpathSync(tempDir("hydro-pyenv-"));
  const root = path.join(base, "root");
  for (const version of ["3.10.0", "3.11.7", "3.12.1"]) {
    const bin = path.join(root, "versions", version, "bin");
    fs.mkdirSync(bin, { recursive: true });
    // 3.10.0 has no python3: pyenv goes on to the next version.
    if (version !== "3.10.0") fs.writeFileSync(path.join(bin, "python3"), `#!/bin/sh\necho "${version}|$PYENV_VERSION|\${PATH%%:*}"\n`, { mode: 0o755 });
  }
  fs.mkdirSync(path.join(root, "shims"), { recursive: true });
  if (machinePyenv) fs.symlinkSync(machinePyenv, path.join(root, "libexec"));
  fs.writeFileSync(
    path.join(root, "shims", "python3"),
    [
      "#!/usr/bin/env bash",
      "set -e",
      '[ -n "$PYENV_DEBUG" ] && set -x',
      "",
      'program="${0##*/}"',
      "",
      `export PYENV_ROOT="${root}"`,
      "SHIM_PATH=${0%/*}",
      `if [[ $SHIM_PATH != "${root}/shims" ]]; then`,
      '  export _PYENV_SHIM_PATH="$SHIM_PATH"',
      "fi",
      `exec "${root}/libexec/pyenv" exec "$program" "$@"`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  const work = path.join(base, "work", "project");
  fs.mkdirSync(work, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(base, file)), { recursive: true });
    fs.writeFileSync(path.join(base, file), text);
  }
  const env = { PATH: `${path.join(root, "shims")}:/usr/bin:/bin`, HOME: base };
  return { base, root, work, env };
}

const picked: Array<{ name: string; setup: Setup; version: string; pyenvVersion: string }> = [
  { name: "the global version file", setup: { files: { "root/version": "3.11.7\n" } }, version: "3.11.7", pyenvVersion: "3.11.7" },
  {
    name: "a .python-version above the working directory, over the global one",
    setup: { files: { "root/version": "3.11.7\n", "work/.python-version": "3.12.1\n" } },
    version: "3.12.1",
    pyenvVersion: "3.12.1",
  },
  {
    name: "PYENV_VERSION over every file",
    setup: { files: { "work/.python-version": "3.11.7\n" }, env: { PYENV_VERSION: "3.12.1" } },
    version: "3.12.1",
    pyenvVersion: "3.12.1",
  },
  {
    name: "several versions: the first that has python3",
    setup: { files: { "root/version": "3.10.0\n3.11.7\n" } },
    version: "3.11.7",
    pyenvVersion: "3.10.0:3.11.7",
  },
  {
    name: "comments, blank lines, CRLF and words after the version",
    setup: { files: { "root/version": "# pinned\r\n\r\n  3.12.1 the new one\r\n3.11.7\r\n" } },
    version: "3.12.1",
    pyenvVersion: "3.12.1:3.11.7",
  },
  { name: "a python- prefix", setup: { files: { "root/version": "python-3.12.1\n" } }, version: "3.12.1", pyenvVersion: "3.12.1" },
  {
    name: "PYENV_DIR's .python-version",
    setup: { files: { "root/version": "3.11.7\n", "elsewhere/.python-version": "3.12.1\n" }, env: { PYENV_DIR: "../../elsewhere" } },
    version: "3.12.1",
    pyenvVersion: "3.12.1",
  },
];

const leftToTheShim: Array<{ name: string; setup: Setup }> = [
  { name: "a version prefix (pyenv resolves it with pyenv-latest)", setup: { files: { "root/version": "3.11\n" } } },
  { name: "system", setup: { files: { "root/version": "system\n" } } },
  { name: "no version file at all (system)", setup: {} },
  { name: "a version not installed", setup: { files: { "root/version": "3.9.9\n" } } },
  { name: "a version file naming a path", setup: { files: { "root/version": "../3.11.7\n" } } },
  { name: "PYENV_DEBUG", setup: { files: { "root/version": "3.11.7\n" }, env: { PYENV_DEBUG: "1" } } },
  { name: "a PYENV_DIR that does not exist", setup: { files: { "root/version": "3.11.7\n" }, env: { PYENV_DIR: "/nonexistent" } } },
  {
    name: "a which hook pyenv does not ship",
    setup: { files: { "root/version": "3.11.7\n", "hooks/which/mine.bash": "PYENV_COMMAND_PATH=/bin/true\n" }, env: { PYENV_HOOK_PATH: "HOOKS" } },
  },
  { name: "a version-name hook", setup: { files: { "root/version": "3.11.7\n", "root/pyenv.d/version-name/pin.bash": "PYENV_VERSION=3.12.1\n" } } },
];

/** The case's environment, with HOOKS standing for its hooks directory. */
const envOf = (setup: Setup, c: ReturnType<typeof makeCase>) => ({
  ...c.env,
  ...Object.fromEntries(Object.entries(setup.env ?? {}).map(([key, value]) => [key, value.replace("HOOKS", path.join(c.base, "hooks"))])),
});

describe("the Python interpreter behind a pyenv shim", () => {
  for (const { name, setup, version, pyenvVersion } of picked) {
    test(`picked as pyenv picks it: ${name}`, async () => {
      const c = makeCase(setup);
      const env = envOf(setup, c);
      const interpreter = pythonInterpreter(env, c.work);
      const bin = path.join(c.root, "versions", version, "bin");
      assert.deepEqual(interpreter, { command: path.join(bin, "python3"), env: { PATH: `${bin}:${env.PATH}`, PYENV_VERSION: pyenvVersion } });
      const direct = await execa(interpreter.command, [], { cwd: c.work, env: { ...env, ...interpreter.env }, extendEnv: false });
      assert.equal(direct.stdout, `${version}|${pyenvVersion}|${bin}`);
    });
  }

  test("the same picks through the real shim and this machine's pyenv", { skip: !machinePyenv && "no pyenv on this machine" }, async () => {
    for (const { name, setup } of picked) {
      const c = makeCase(setup);
      const env = envOf(setup, c);
      const interpreter = pythonInterpreter(env, c.work);
      const direct = await execa(interpreter.command, [], { cwd: c.work, env: { ...env, ...interpreter.env }, extendEnv: false });
      const shim = await execa(path.join(c.root, "shims", "python3"), [], { cwd: c.work, env: { ...env, PWD: c.work }, extendEnv: false, reject: false });
      assert.equal(direct.stdout, shim.stdout, `${name}: ${shim.stderr}`);
    }
  });

  for (const { name, setup } of leftToTheShim) {
    test(`left to the shim: ${name}`, () => {
      const c = makeCase(setup);
      assert.deepEqual(pythonInterpreter(envOf(setup, c), c.work), { command: "python3", env: {} });
    });
  }

  test("a shim outside $PYENV_ROOT/shims, an interpreter that is no shim, a path, and nothing on PATH are run as named", () => {
    const c = makeCase({ files: { "root/version": "3.11.7\n" } });
    const copied = path.join(c.base, "elsewhere-shims");
    fs.mkdirSync(copied);
    fs.copyFileSync(path.join(c.root, "shims", "python3"), path.join(copied, "python3"));
    fs.chmodSync(path.join(copied, "python3"), 0o755);
    assert.deepEqual(pythonInterpreter({ PATH: copied }, c.work), { command: "python3", env: {} });
    assert.deepEqual(pythonInterpreter({ PATH: path.join(c.root, "versions", "3.11.7", "bin") }, c.work), { command: "python3", env: {} });
    assert.deepEqual(pythonInterpreter({ ...c.env, HYDRO_PYTHON: "/opt/py/bin/python3" }, c.work), { command: "/opt/py/bin/python3", env: {} });
    assert.deepEqual(pythonInterpreter({ PATH: "/nonexistent" }, c.work), { command: "python3", env: {} });
  });

  test("HYDRO_PYTHON naming a command is found on PATH like python3", () => {
    const c = makeCase({ files: { "root/version": "3.11.7\n" } });
    fs.copyFileSync(path.join(c.root, "shims", "python3"), path.join(c.root, "shims", "python3.11"));
    fs.chmodSync(path.join(c.root, "shims", "python3.11"), 0o755);
    fs.copyFileSync(path.join(c.root, "versions", "3.11.7", "bin", "python3"), path.join(c.root, "versions", "3.11.7", "bin", "python3.11"));
    const bin = path.join(c.root, "versions", "3.11.7", "bin");
    assert.equal(pythonInterpreter({ ...c.env, HYDRO_PYTHON: "python3.11" }, c.work).command, path.join(bin, "python3.11"));
  });
});
