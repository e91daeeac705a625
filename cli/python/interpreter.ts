import fs from "node:fs";
import path from "node:path";

/**
 * The interpreter that runs a Python config: `HYDRO_PYTHON`, else `python3`, as PATH finds it.
 *
 * That is often a pyenv shim, a bash script that runs `pyenv exec`: ~50–80 ms on this machine
 * before Python starts (bench/deploy (c)). When it is one, the interpreter is picked here as pyenv
 * 2.x picks it (libexec/pyenv-exec, -which, -version-name, -version-file, -version-file-read), and
 * run with what `pyenv exec` gives it that matters to a script: its bin directory first on PATH
 * (so that `python3` and `pip` in its subprocesses are the same version's) and PYENV_VERSION.
 * Whatever pyenv would decide in a way this does not follow exactly — a version prefix (`3.11`),
 * `system`, a version not installed, a version file naming a path, PYENV_DEBUG, a shim outside
 * `$PYENV_ROOT/shims`, a hook that could change the pick — is left to the shim itself.
 */
export interface Interpreter {
  /** What to run: the name as given, or the interpreter a pyenv shim would run. */
  command: string;
  /** Environment to add (empty unless a shim was resolved). */
  env: Record<string, string>;
}

type Env = Readonly<Record<string, string | undefined>>;

export function pythonInterpreter(env: Env = process.env, cwd = process.cwd()): Interpreter {
  const name = env.HYDRO_PYTHON || "python3";
  const asGiven = { command: name, env: {} };
  if (name.includes("/")) return asGiven;
  const shim = onPath(name, env.PATH ?? "", cwd);
  const root = shim && pyenvRootOf(shim);
  if (!root || env.PYENV_DEBUG || path.dirname(shim) !== path.join(root.root, "shims") || hooksMayChangeThePick(root, env)) return asGiven;
  const versions = selectedVersions(root.root, env, cwd);
  if (!versions) return asGiven;
  // pyenv-which: the first version that has the command; were none to, pyenv would look at `system`.
  const found = versions.find((version) => isExecutable(path.join(root.root, "versions", version, "bin", name)));
  if (!found) return asGiven;
  const bin = path.join(root.root, "versions", found, "bin");
  return { command: path.join(bin, name), env: { PATH: `${bin}:${env.PATH ?? ""}`, PYENV_VERSION: versions.join(":") } };
}

/** The first executable `name` in PATH's directories (an empty entry is the working directory), as a shell finds it. */
function onPath(name: string, searchPath: string, cwd: string): string | undefined {
  for (const dir of searchPath.split(":")) {
    const candidate = path.resolve(cwd, dir || ".", name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A pyenv shim says where pyenv is: `export PYENV_ROOT="…"` and `exec "<prefix>/libexec/pyenv" exec "$program" "$@"`. */
function pyenvRootOf(file: string): { root: string; prefix: string } | undefined {
  let text: string;
  try {
    if (fs.statSync(file).size > 4096) return undefined;
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const root = /^export PYENV_ROOT="([^"$`\\]+)"$/m.exec(text)?.[1];
  const prefix = /^exec "([^"$`\\]+)\/libexec\/pyenv" exec "\$program" "\$@"$/m.exec(text)?.[1];
  return root && prefix ? { root, prefix } : undefined;
}

/**
 * Hooks that pyenv sources while picking (libexec/pyenv builds PYENV_HOOK_PATH from these
 * directories): any `version-name` hook could change the version, and `which` and `exec` hooks
 * the command, except those known to leave an executable command as it is — pyenv-virtualenv's
 * `which` hooks act only when the version has no such command, and pyenv's own `pip-rehash` only
 * for pip and easy_install.
 */
function hooksMayChangeThePick({ root, prefix }: { root: string; prefix: string }, env: Env): boolean {
  const plugins = readdir(path.join(root, "plugins")).map((plugin) => path.join(root, "plugins", plugin, "etc", "pyenv.d"));
  const dirs = [
    ...(env.PYENV_HOOK_PATH ?? "").split(":").filter(Boolean),
    path.join(root, "pyenv.d"),
    path.join(prefix, "pyenv.d"),
    "/usr/etc/pyenv.d",
    "/usr/local/etc/pyenv.d",
    "/etc/pyenv.d",
    "/usr/lib/pyenv/hooks",
    ...plugins,
  ];
  const harmless: Record<string, readonly string[]> = {
    "version-name": [],
    which: ["conda.bash", "python-config.bash", "system-site-packages.bash"],
    exec: ["pip-rehash.bash"],
  };
  return dirs.some((dir) =>
    Object.entries(harmless).some(([hook, known]) => readdir(path.join(dir, hook)).some((script) => script.endsWith(".bash") && !known.includes(script))),
  );
}

/**
 * The installed versions pyenv would pick, in order: PYENV_VERSION (`:`-separated), else the
 * nearest `.python-version` from PYENV_DIR (then the working directory) up, else
 * `$PYENV_ROOT/version`. Undefined when pyenv would have to resolve something (see the header).
 */
function selectedVersions(root: string, env: Env, cwd: string): string[] | undefined {
  const file = env.PYENV_VERSION ? undefined : versionFile(root, env, cwd);
  const named = env.PYENV_VERSION ? env.PYENV_VERSION.split(":").filter(Boolean) : file && readVersionFile(file);
  if (!named?.length) return undefined;
  const installed = (version: string) => fs.statSync(path.join(root, "versions", version), { throwIfNoEntry: false })?.isDirectory() === true;
  const versions: string[] = [];
  for (const version of named) {
    if (version === "system" || version.includes("/") || version === "..") return undefined;
    const normalised = version.replace(/^python-/, "");
    if (installed(version)) versions.push(version);
    else if (installed(normalised)) versions.push(normalised);
    else return undefined;
  }
  return versions;
}

function versionFile(root: string, env: Env, cwd: string): string | undefined {
  const nearest = (from: string): string | undefined => {
    for (let dir = from; ; dir = path.dirname(dir)) {
      const file = path.join(dir, ".python-version");
      if (fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
      if (dir === path.dirname(dir)) return undefined;
    }
  };
  // Bash walks up its logical working directory: $PWD as inherited (symlinks kept) if it is absolute,
  // has no . or .. in it and is the working directory; otherwise the physical one.
  const logical = env.PWD && path.isAbsolute(env.PWD) && !/(^|\/)\.\.?(\/|$)/.test(env.PWD) && sameDirectory(env.PWD, cwd);
  const here = logical ? env.PWD!.replace(/\/+/g, "/").replace(/(.)\/$/, "$1") : cwd;
  const pyenvDir = env.PYENV_DIR ? path.resolve(here, env.PYENV_DIR) : here;
  // pyenv refuses a PYENV_DIR it cannot enter: the shim says so.
  if (!fs.statSync(pyenvDir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
  return nearest(pyenvDir) ?? (pyenvDir !== here ? nearest(here) : undefined) ?? path.join(root, "version");
}

function sameDirectory(a: string, b: string): boolean {
  try {
    const [first, second] = [fs.statSync(a), fs.statSync(b)];
    return first.dev === second.dev && first.ino === second.ino;
  } catch {
    return false;
  }
}

/** The first word of each line that is neither empty nor a comment (libexec/pyenv-version-file-read). */
function readVersionFile(file: string): string[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return text
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((word) => word !== "" && !word.startsWith("#"));
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
