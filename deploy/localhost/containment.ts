import fs from "node:fs";
import path from "node:path";
import { CGROUP_PREFIX, cgroupsWanted, ENV_RUN_MARKER } from "../containment.js";
import { isAlive } from "../process-alive.js";

/**
 * Containment on this machine (see deploy/containment.ts): a cgroup per program under one cgroup
 * per launched host, made under the deployer's own cgroup when it may write there, and the marker.
 */
export class LocalContainment {
  private constructor(readonly cgroup: string | undefined) {}

  /** Also kills and removes what dead deployers left in cgroups of their own. */
  static create(name: string): LocalContainment {
    const parent = cgroupsWanted() ? ownCgroup() : undefined;
    if (!parent) return new LocalContainment(undefined);
    for (const entry of readdir(parent)) {
      const pid = Number(new RegExp(`^${CGROUP_PREFIX}(\\d+)-`).exec(entry)?.[1]);
      if (pid && !isAlive(pid)) removeCgroup(path.join(parent, entry));
    }
    const cgroup = path.join(parent, `${CGROUP_PREFIX}${process.pid}-${name}`);
    try {
      fs.mkdirSync(cgroup);
      return new LocalContainment(cgroup);
    } catch {
      return new LocalContainment(undefined);
    }
  }

  /** Where the program with `marker` is moved before it starts ("" for none). */
  cgroupOf(marker: string): string {
    return this.cgroup ? path.join(this.cgroup, marker) : "";
  }

  /** SIGKILL to everything the program with `marker` started, wherever it went. */
  kill(marker: string): void {
    if (this.cgroup) killCgroup(this.cgroupOf(marker));
    signalMarked(marker, "SIGKILL");
  }

  /**
   * Freezes (or thaws) everything the program with `marker` started, wherever it went: its cgroup's
   * `cgroup.freeze`, and SIGSTOP (SIGCONT) to every process carrying its marker, for what is not in
   * the cgroup (a move into it refused, or no cgroups). Its process group gets SIGSTOP/SIGCONT besides.
   */
  freeze(marker: string, frozen: boolean): void {
    if (this.cgroup) {
      try {
        fs.writeFileSync(path.join(this.cgroupOf(marker), "cgroup.freeze"), frozen ? "1" : "0");
      } catch {
        // No freezer (a kernel before 5.2), or the program never got its cgroup: the marker reaches it.
      }
    }
    signalMarked(marker, frozen ? "SIGSTOP" : "SIGCONT");
  }

  /** Kills what is left in the programs' cgroups and removes them, keeping the host's (a pool's host between deployments). */
  clear(): void {
    if (!this.cgroup) return;
    for (const entry of readdir(this.cgroup)) {
      const dir = path.join(this.cgroup, entry);
      if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) removeCgroup(dir);
    }
  }

  /** Kills what is left and removes the cgroups (a cgroup is removed with rmdir once empty). */
  release(): void {
    if (this.cgroup) removeCgroup(this.cgroup);
  }
}

/** The deployer's own cgroup v2 directory, if there is a cgroup2 mount and it may create cgroups in it. */
function ownCgroup(): string | undefined {
  try {
    const own = /^0::(\/.*)$/m.exec(fs.readFileSync("/proc/self/cgroup", "utf8"))?.[1];
    // "<id> <parent> <dev> <root> <mount point> <options> … - <type> <source> <options>"
    const mount = fs
      .readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .map((line) => line.split(" - "))
      .find(([, after]) => after?.startsWith("cgroup2 "))?.[0]
      ?.split(" ")[4];
    if (own === undefined || !mount) return undefined;
    const dir = path.join(mount, own);
    fs.accessSync(dir, fs.constants.W_OK);
    return dir;
  } catch {
    return undefined;
  }
}

function killCgroup(dir: string): void {
  try {
    fs.writeFileSync(path.join(dir, "cgroup.kill"), "1");
  } catch {
    // Kernels before 5.14 have no cgroup.kill; or the program never got its cgroup.
    for (const pid of readFile(path.join(dir, "cgroup.procs")).split("\n").filter(Boolean)) signal(Number(pid));
  }
}

/** Children first: a cgroup is removed with rmdir, once it holds no process (killed ones may take a moment). */
function removeCgroup(dir: string): void {
  killCgroup(dir);
  for (const entry of readdir(dir)) {
    if (fs.statSync(path.join(dir, entry), { throwIfNoEntry: false })?.isDirectory()) removeCgroup(path.join(dir, entry));
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EBUSY") return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function signal(pid: number, name: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** `name` to every process (but this one) whose environment carries the program's marker. */
function signalMarked(marker: string, name: NodeJS.Signals): void {
  const wanted = `${ENV_RUN_MARKER}=${marker}`;
  for (const entry of readdir("/proc")) {
    const pid = Number(entry);
    if (!pid || pid === process.pid) continue;
    let environment: string;
    try {
      environment = fs.readFileSync(`/proc/${pid}/environ`, "latin1");
    } catch {
      continue; // Gone, or another user's.
    }
    if (environment.split("\0").includes(wanted)) signal(pid, name);
  }
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
