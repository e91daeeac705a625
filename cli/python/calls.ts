import { Deployment } from "../../deploy/deployment.js";
import { HostPool } from "../../deploy/pool/host-pool.js";
import { HostDeclarer } from "../../deploy/host-declarer.js";
import { asIfCalledFrom, formatCallsite } from "../../deploy/callsite.js";
import { CloudError, ConfigError, HostError, HostLostError, HydroError, ProgramFailedError, TornDownError } from "../../deploy/errors.js";
import { hostKinds } from "../../deploy/host-kind.js";
import { DeployNode } from "../../deploy/nodes/node.js";
import { External } from "../../deploy/nodes/external.js";
import { ProcessNode } from "../../deploy/nodes/process.js";
import { ProgramNode } from "../../deploy/nodes/program.js";
import { PortRef } from "../../deploy/ports.js";
import { Cluster, type ClusterPort } from "../../deploy/nodes/cluster.js";
import type { Host } from "../../deploy/host.js";
import { Fault } from "../../deploy/faults/fault.js";
import type { Group } from "../../deploy/faults/parties.js";
import { BatchedStream } from "./streams.js";
import type { ErrorReply, PythonHostKind, PythonSite } from "./protocol.js";

type Args = Record<string, unknown>;
type Handler = (target: unknown, args: Args) => unknown;

/**
 * The deployer's end of a Python config's calls (docs/python-bridge.md): objects live here, the
 * Python side holds integer handles to them. Each call runs the TS API as if made at the Python
 * file and line the call names.
 */
export class BridgeCalls {
  private readonly objects = new Map<number, unknown>();
  private nextHandle = 1;

  private readonly handlers: Record<string, Handler> = {
    "deployment.new": (_, args) => this.handle(new Deployment(this.withHandles(args, ["hosts"]))),
    "pool.new": (_, args) => this.handle(new HostPool(args)),
    host: (owner, args) => this.handle(declarer(owner).host(String(args.kind), this.withHandles((args.options ?? {}) as Args, args.handles))),
    release: async (pool) => (await expectKind(pool, HostPool, "a HostPool").release(), null),
    service: (d, args) => this.handle(deployment(d).service(this.withHandles(args, ["on"]) as never)),
    process: (d, args) => this.handle(deployment(d).process(this.withHandles(args, ["on"]) as never)),
    cluster: (d, args) => {
      const on = Array.isArray(args.on) ? args.on.map((handle) => this.objects.get(Number(handle)) ?? handle) : (this.objects.get(Number(args.on)) ?? args.on);
      const cluster = deployment(d).cluster({ ...args, on } as never);
      return { cluster: this.handle(cluster), members: cluster.members.map((member) => this.handle(member)) };
    },
    external: (d, args) => this.handle(deployment(d).external(args)),
    connect: (d, args) => (deployment(d), this.port(args.from).connect(this.port(args.to)), null),
    demux: (d, args) => {
      deployment(d);
      const to = args.to;
      const receivers = Array.isArray(to)
        ? to.map((ref) => this.memberPort(ref))
        : Object.fromEntries(Object.entries((to ?? {}) as Args).map(([key, ref]) => [key, this.memberPort(ref)]));
      this.port(args.from).demux(receivers);
      return null;
    },
    deploy: async (d) => (await deployment(d).deploy(), null),
    teardown: async (d) => (await deployment(d).teardown(), null),
    stdout: (node) => this.handle(BatchedStream.ofItems(program(node).stdout())),
    stderr: (node) => this.handle(BatchedStream.ofItems(program(node).stderr())),
    exitCode: (node) => program(node).exitCode(),
    stop: async (node) => (await program(node).stop(), null),
    kill: (node, args) => (program(node).kill((args.signal ?? "SIGKILL") as never), null),
    restart: async (node) => (await program(node).restart(), null),
    pause: (node) => (program(node).pause(), null),
    resume: (node) => (program(node).resume(), null),
    restarts: (node) => program(node).restarts,
    metrics: (node) => program(node).metrics() ?? null,
    "deployment.metrics": (d) => this.handle(BatchedStream.ofItems(deployment(d).metrics())),
    address: (node, args) => processNode(node).address(String(args.port)),
    terminate: async (host) => (await hostOf(host).terminate(), null),
    send: (node, args) => (externalNode(node).ports[String(args.port)]!.send(args.data, args.to === undefined ? undefined : { to: String(args.to) }), null),
    broadcast: (node, args) => (externalNode(node).ports[String(args.port)]!.broadcast(args.data), null),
    "network.partition": async (d, args) => this.fault(await deployment(d).network.partition(this.group(args.a), this.group(args.b), args.options as never)),
    "network.delay": async (d, args) => this.fault(await deployment(d).network.delay(this.group(args.a), this.group(args.b), args.options as never)),
    "network.loss": async (d, args) => this.fault(await deployment(d).network.loss(this.group(args.a), this.group(args.b), args.options as never)),
    "network.heal": async (d) => (await deployment(d).network.heal(), null),
    "network.counts": (d) => deployment(d).network.counts(),
    "fault.clear": async (fault) => (await expectKind(fault, Fault, "a Fault").clear(), null),
    receive: (node, args) => this.handle(BatchedStream.ofBatches(externalNode(node).receiving(String(args.port)).batches()[Symbol.asyncIterator]())),
    next: (stream) => batched(stream).next(),
    close: async (stream) => (await batched(stream).close(), null),
  };

  /** Runs one call; its errors are thrown as the TS API threw them. */
  run(call: string, target: number | undefined, args: Args, site: PythonSite | undefined): unknown {
    if (!Object.hasOwn(this.handlers, call))
      throw new HydroError(`the Python side asked for '${call}', which this deployer does not know (a newer hydro package?)`);
    const object = target === undefined ? undefined : this.objects.get(target);
    if (target !== undefined && object === undefined) throw new HydroError(`'${call}' names handle ${target}, which is not an object of this run`);
    const handler = this.handlers[call]!;
    try {
      return site ? asIfCalledFrom({ file: site.file, line: site.line }, () => handler(object, args)) : handler(object, args);
    } catch (error) {
      // The TS API's own errors already say where; the bridge's argument checks say it here.
      if (error instanceof BadArgument)
        throw new ConfigError(`${site ? `${formatCallsite(site)}: ` : ""}${pythonNames(call, args)?.[1] ?? `${call}()`}: ${error.message}`);
      throw error;
    }
  }

  private handle(object: unknown): number {
    const handle = this.nextHandle++;
    this.objects.set(handle, object);
    return handle;
  }

  /** A fault's handle and what the Python side shows of it. */
  private fault(fault: Fault): Args {
    return { handle: this.handle(fault), kind: fault.kind, description: fault.description, seed: fault.seed, setAt: fault.setAt };
  }

  /** A group of a fault: handles (one, or a list) made the nodes and clusters they stand for; anything else is left for the API to refuse. */
  private group(value: unknown): Group {
    const object = (handle: unknown) => (typeof handle === "number" ? (this.objects.get(handle) ?? handle) : handle);
    return (Array.isArray(value) ? value.map(object) : object(value)) as Group;
  }

  /** `options` with the handles in `fields` (the Python side names which options are handles: `on`, a jump host) made the objects they stand for. */
  private withHandles(options: Args, fields: unknown): Args {
    const resolved = { ...options };
    for (const field of Array.isArray(fields) ? fields : []) {
      if (typeof field === "string" && resolved[field] !== undefined) resolved[field] = this.objects.get(Number(resolved[field])) ?? resolved[field];
    }
    return resolved;
  }

  /** A demux receiver: one node's port, not a cluster's (whose members are reached by id through connect()). */
  private memberPort(ref: unknown): PortRef {
    const port = this.port(ref);
    if (!(port instanceof PortRef)) throw new BadArgument(`a cluster's port cannot be a demux() receiver: connect() to it reaches its members by id`);
    return port;
  }

  private port(ref: unknown): PortRef | ClusterPort {
    const { node, port } = (ref ?? {}) as { node?: number; port?: string };
    const object = this.objects.get(Number(node));
    if (!(object instanceof DeployNode || object instanceof Cluster) || typeof port !== "string")
      throw new BadArgument(`expected a port as the argument, e.g. service.ports.inbound, got ${describe(ref)}`);
    return object.ports[port]!;
  }
}

/** An argument the bridge itself refuses (not a port where one is needed): reported at the Python call. */
class BadArgument extends Error {}

/** What came instead of a port: a Python host or node travels as its handle, a number. */
const describe = (value: unknown) => (typeof value === "number" ? "a host or node, not one of its ports" : (JSON.stringify(value) ?? String(value)));

/** The object behind a handle, checked to be of the kind a call applies to. */
function expectKind<T>(object: unknown, kind: Function & { prototype: T }, what: string): T {
  if (!(object instanceof kind)) throw new HydroError(`expected ${what} handle`);
  return object as T;
}

const deployment = (object: unknown) => expectKind(object, Deployment, "a Deployment");
const declarer = (object: unknown) => expectKind<HostDeclarer>(object, HostDeclarer, "a Deployment or HostPool");
const program = (object: unknown) => expectKind(object, ProgramNode, "a service or process");
const processNode = (object: unknown) => expectKind(object, ProcessNode, "a process()");
const externalNode = (object: unknown) => expectKind(object, External, "an External");
const batched = (object: unknown) => expectKind<BatchedStream<unknown>>(object, BatchedStream, "a stream");

function hostOf(object: unknown): Host {
  if (typeof (object as Host | undefined)?.terminate !== "function") throw new HydroError("expected a host handle");
  return object as Host;
}

/** How the TS API names a declaration in its errors, and what the Python script wrote instead. */
const PYTHON_NAMES: Record<string, [ts: string, python: string]> = {
  "deployment.new": ["new Deployment()", "Deployment()"],
  "pool.new": ["new HostPool()", "HostPool()"],
  service: ["service()", "Service()"],
  cluster: ["cluster()", "Cluster()"],
  process: ["process()", "Process()"],
  external: ["external()", "External()"],
  connect: ["connect()", "connect()"],
  demux: ["demux()", "demux()"],
};

/**
 * An error as the Python side raises it again: its class by name, in the script's own names
 * (`Service()` for `service()`), with a cloud error's provider and code, a host's or program's name.
 */
export function errorReply(call: string, args: Args, error: unknown): ErrorReply {
  let message = error instanceof Error ? error.message : String(error);
  const names = pythonNames(call, args);
  if (names) message = message.replace(names[0], names[1]);
  if (error instanceof CloudError) return { type: "CloudError", message, provider: error.provider, code: error.code };
  if (error instanceof HostError) return { type: error instanceof HostLostError ? "HostLostError" : "HostError", message, host: error.host };
  if (error instanceof ProgramFailedError)
    return { type: "ProgramFailedError", message, program: error.program, exitCode: error.exitCode, stderrTail: [...error.stderrTail] };
  // Named here, not by `.name`: a bundler may rename classes.
  const type =
    error instanceof ConfigError ? "ConfigError" : error instanceof TornDownError ? "TornDownError" : error instanceof HydroError ? "HydroError" : "Error";
  return { type, message };
}

/** A host kind's declaration is `aws()` in the TS API's errors and `AwsMachine()` in Python (deploy/host-kind.ts). */
function pythonNames(call: string, args: Args): [ts: string, python: string] | undefined {
  if (call !== "host") return PYTHON_NAMES[call];
  const kind = hostKinds().find((kind) => kind.name === args.kind);
  return kind?.python && [`${kind.name}()`, `${kind.python.constructor}()`];
}

/** The registered host kinds as the Python side's hello gets them: each a method of `hydro.Deployment`. */
export function pythonHostKinds(): PythonHostKind[] {
  return hostKinds().flatMap((kind) => (kind.python ? [{ kind: kind.name, constructor: kind.python.constructor, aliases: { ...kind.python.aliases } }] : []));
}
