import fs from "node:fs";
import path from "node:path";
import { hydroDir, privateDir, writeAtomicallySync } from "../paths.js";
import { HydroError } from "../errors.js";

/**
 * `.hydro/state/<deployment id>.json`: every cloud resource a deployment creates, so that
 * `hydro down` finds it after a crash. A resource is recorded **before** the call that creates it
 * is made (an intent, with the idempotency token that call carries), gets its id as soon as the
 * provider returns it, and is dropped once it is deleted; the file goes with the last resource.
 * Each change is written synchronously, atomically and 0600, so `kill -9` at any point leaves a
 * file that names everything that may exist.
 */
export interface ResourceRecord {
  /** Unique in the deployment: what the deployer calls it (`aws/eu-west-1/instance/web`). */
  key: string;
  provider: string;
  /** What kind of resource: `instance`, `security-group`, `key-pair`, `firewall`, … */
  kind: string;
  /** Where it lives, as the provider needs to find it: `{ region }`, `{ project, zone }`. */
  scope: Record<string, string>;
  /** The provider's id (an instance id, a name), once known. Without it the resource is found by `token` or tag. */
  id?: string;
  /** The idempotency token (ClientToken, requestId) or the name its create call carried. */
  token?: string;
  recordedAt: string;
}

export interface StateContents {
  version: 1;
  deployment: string;
  name: string;
  /** The deployer that wrote it, so `hydro ls` can tell a live deployment from a crashed one. */
  pid: number;
  createdAt: string;
  resources: ResourceRecord[];
}

export const stateDir = () => hydroDir("state");
const fileOf = (deployment: string) => path.join(stateDir(), `${deployment}.json`);

/** The state of one deployment, as this deployer keeps it. */
export class DeploymentState {
  private contents: StateContents | undefined;

  constructor(
    readonly deployment: string,
    private readonly name: string,
  ) {}

  /** Records a resource about to be created (before the call is made). */
  intend(record: Omit<ResourceRecord, "recordedAt">): RecordedResource {
    const contents = (this.contents ??= { version: 1, deployment: this.deployment, name: this.name, pid: process.pid, createdAt: now(), resources: [] });
    if (contents.resources.some((resource) => resource.key === record.key)) throw new Error(`internal error: resource ${record.key} recorded twice`);
    const resource: ResourceRecord = { ...record, recordedAt: now() };
    contents.resources.push(resource);
    this.write();
    return {
      created: (id) => {
        resource.id = id;
        this.write();
      },
      deleted: () => this.drop(resource),
    };
  }

  get resources(): readonly ResourceRecord[] {
    return this.contents?.resources ?? [];
  }

  private drop(resource: ResourceRecord): void {
    const contents = this.contents;
    if (!contents) return;
    contents.resources = contents.resources.filter((other) => other !== resource);
    this.write();
  }

  private write(): void {
    const contents = this.contents!;
    const file = fileOf(this.deployment);
    if (contents.resources.length === 0) {
      fs.rmSync(file, { force: true });
      this.contents = undefined;
      return;
    }
    privateDir(stateDir());
    writeAtomicallySync(file, `${JSON.stringify(contents, null, 2)}\n`);
  }
}

/** What a resource's creation can still do once recorded: learn its id, or be gone. */
export interface RecordedResource {
  created(id: string): void;
  deleted(): void;
}

/** Every state file in this project's `.hydro/state`, for `hydro down` and `hydro ls`; a file that does not parse is named, not skipped. */
export function readAllStates(): StateContents[] {
  const dir = stateDir();
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((file) => file.endsWith(".json")) : [];
  return files.map((file) => readState(path.join(dir, file)));
}

export function readState(file: string): StateContents {
  let contents: StateContents;
  try {
    contents = JSON.parse(fs.readFileSync(file, "utf8")) as StateContents;
  } catch (error) {
    throw new HydroError(`${file}: not a readable state file: ${(error as Error).message}`);
  }
  if (contents.version !== 1 || !Array.isArray(contents.resources))
    throw new HydroError(`${file}: not a hydro-deploy state file (version ${String(contents.version)})`);
  return contents;
}

/** Rewrites a state file after `hydro down` deleted some of its resources (removes it when none is left). */
export function rewriteState(contents: StateContents): void {
  const file = fileOf(contents.deployment);
  if (contents.resources.length === 0) fs.rmSync(file, { force: true });
  else writeAtomicallySync(file, `${JSON.stringify(contents, null, 2)}\n`);
}

const now = () => new Date().toISOString();
