import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as z from "zod/mini";
import {
  CloudError,
  DeclaredHost,
  hostKind,
  parseOptions,
  registerHostKind,
  type CloudProvider,
  type HostKind,
  type LaunchContext,
  type LaunchedHost,
  type ResourceRecord,
  type TaggedResource,
} from "hydro-deploy";

/**
 * A test-only host kind, the worked example of docs/ARCHITECTURE.md §2: the deployer's own machine,
 * reached after `delayMs`, that digs a *burrow* (a file in `dir`) while launched. The burrow is a
 * resource as a cloud VM is one: recorded in the state file before it is made, tagged with its
 * deployment (in its content), removed at teardown, and left behind by `kill -9`, so `hydro down`
 * and `hydro ls` must find it through this kind's cleanup (`--burrow <dirs…>`). It imports only
 * the public API, as a plug-in outside this repository would; nothing in deploy/, cli/ or python/
 * names it.
 */

const options = z.strictObject({
  /** Where burrows are dug: an existing directory. */
  dir: z.string().check(z.minLength(1, "give the directory burrows are dug in")),
  /** How long a launch takes, in ms. */
  delayMs: z._default(z.int().check(z.nonnegative()), 0),
  name: z.optional(z.string().check(z.regex(/^[\w.-]+$/, "use letters, digits, '_', '.' and '-'"))),
});
type BurrowOptions = z.output<typeof options>;

const KIND = "burrow";
const SUFFIX = ".burrow";

class BurrowHost extends DeclaredHost<BurrowOptions> {
  async launch(context: LaunchContext): Promise<LaunchedHost> {
    const { dir, delayMs } = this.options;
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new CloudError(KIND, "NoSuchDirectory", `burrow host "${this.name}": dir: ${dir} is not a directory`);
    const file = path.join(path.resolve(dir), `${context.deployment.id}.${this.name}${SUFFIX}`);
    // Recorded before it exists, as every cloud resource is: a kill -9 between the two leaves a record, never an orphan.
    const record = context.deployment.state.intend({
      key: `${KIND}/${this.name}`,
      provider: KIND,
      kind: "burrow",
      scope: { dir: path.resolve(dir) },
      token: file,
    });
    fs.writeFileSync(file, JSON.stringify({ deployment: context.deployment.id, host: this.name }));
    record.created(file);
    const fillIn = () => {
      fs.rmSync(file, { force: true });
      record.deleted();
    };
    try {
      await sleep(delayMs, undefined, { signal: context.signal });
      const inside = await hostKind("localhost").create(this.owner, this.name, undefined).launch(context);
      return new Burrowed(this.name, inside, fillIn);
    } catch (error) {
      fillIn();
      throw error;
    }
  }
}

/** The deployer's machine, launched inside a burrow: everything as localhost, and teardown fills the burrow in. */
class Burrowed implements LaunchedHost {
  readonly local: boolean;
  readonly network: string;
  readonly node: string;
  readonly networkAddress: string;

  constructor(
    readonly name: string,
    private readonly inside: LaunchedHost,
    private readonly fillIn: () => void,
  ) {
    ({ local: this.local, network: this.network, node: this.node, networkAddress: this.networkAddress } = inside);
  }

  install: LaunchedHost["install"] = (bundle) => this.inside.install(bundle);
  socketPath: LaunchedHost["socketPath"] = (label) => this.inside.socketPath(label);
  freePort: LaunchedHost["freePort"] = () => this.inside.freePort();
  spawn: LaunchedHost["spawn"] = (command) => this.inside.spawn(command);
  accepts: LaunchedHost["accepts"] = (address) => this.inside.accepts(address);
  tunnelTo: LaunchedHost["tunnelTo"] = (address) => this.inside.tunnelTo(address);
  tunnelFrom: LaunchedHost["tunnelFrom"] = (address) => this.inside.tunnelFrom(address);
  kill: LaunchedHost["kill"] = () => this.inside.kill();

  async teardown(): Promise<void> {
    await this.inside.teardown();
    this.fillIn();
  }
}

/** Finds burrows by their content (their tag) and fills them in: what `hydro down` and `hydro ls` use. */
const cleanup: CloudProvider = {
  deletionOrder: ["burrow"],
  async deleteResource(record: Omit<ResourceRecord, "recordedAt">) {
    fs.rmSync(record.id ?? record.token!, { force: true });
  },
  async findTagged(dir: string): Promise<TaggedResource[]> {
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new CloudError(KIND, "NoSuchDirectory", `burrow: ${dir} is not a directory`);
    return fs
      .readdirSync(dir)
      .filter((entry) => entry.endsWith(SUFFIX))
      .map((entry) => {
        const file = path.join(path.resolve(dir), entry);
        const { deployment, host } = JSON.parse(fs.readFileSync(file, "utf8")) as { deployment: string; host: string };
        return { key: `${KIND}/${host}`, provider: KIND, kind: "burrow", scope: { dir: path.resolve(dir) }, id: file, deployment };
      });
  },
};

export const burrowKind: HostKind<BurrowOptions> = {
  name: KIND,
  parse: (input, { site }) => parseOptions(options, input, "burrow()", site),
  hostName: (parsed) => ({ given: parsed.name, fallback: "burrow" }),
  create: (owner, name, parsed) => new BurrowHost(owner, name, parsed),
  // Launched, it is a localhost: on the deployer's network (for `hydro plan`, which launches nothing).
  network: () => "deployer",
  python: { constructor: "Burrow" },
  cleanup: { scopes: "directories", scopeOf: (record) => record.scope.dir, provider: async () => cleanup },
};

registerHostKind(burrowKind);
