import type { StandardSchema, Infer } from "./schema.js";
import { Inbound, type InboundOptions } from "./inbound.js";
import { Outbound, type OutboundOptions } from "./outbound.js";

/** A port a program declares: `source` receives, `sink` sends. The schema types and validates its messages. */
export type PortSpec = SourceSpec<any> | SinkSpec<any>;

export interface SourceSpec<S extends StandardSchema> {
  direction: "in";
  schema: S;
  options: InboundOptions;
}

export interface SinkSpec<S extends StandardSchema> {
  direction: "out";
  schema: S;
  options: OutboundOptions;
}

/** A port's codec (both ends must agree), and for a source the limits on what its senders may make it hold (see InboundOptions). */
export type PortOptions = InboundOptions & OutboundOptions;

export function source<S extends StandardSchema>(schema: S, options: PortOptions = {}): SourceSpec<S> {
  return { direction: "in", schema, options };
}

export function sink<S extends StandardSchema>(schema: S, options: PortOptions = {}): SinkSpec<S> {
  return { direction: "out", schema, options };
}

export type Port<P extends PortSpec> = P extends SourceSpec<infer S> ? Inbound<Infer<S>> : P extends SinkSpec<infer S> ? Outbound<Infer<S>> : never;
export type Ports<P extends Record<string, PortSpec>> = { [K in keyof P]: Port<P[K]> };

/** Makes the live port objects for a set of declarations; a declaration without a schema is refused, naming its port. */
export function openPorts<P extends Record<string, PortSpec>>(specs: P): Ports<P> {
  const ports: Record<string, Inbound<unknown> | Outbound<unknown>> = {};
  for (const [name, spec] of Object.entries(specs)) {
    checkSpec(name, spec);
    ports[name] = spec.direction === "in" ? new Inbound(name, spec.schema, spec.options) : new Outbound(name, spec.options);
  }
  return ports as Ports<P>;
}

function checkSpec(name: string, spec: unknown): asserts spec is PortSpec {
  const direction = (spec as Partial<PortSpec> | undefined)?.direction;
  if (direction !== "in" && direction !== "out") {
    throw new TypeError(`connect(): port '${name}' must be declared with source(schema) or sink(schema), got ${describeValue(spec)}`);
  }
  const { schema } = spec as PortSpec;
  if (typeof (schema as Partial<StandardSchema> | undefined)?.["~standard"]?.validate !== "function") {
    const call = direction === "in" ? "source" : "sink";
    throw new TypeError(
      `connect(): port '${name}' needs a schema: ${call}(schema) with a Standard Schema (zod 4, valibot, …), got ${call}(${describeValue(schema)})`,
    );
  }
}

const describeValue = (value: unknown) =>
  value === null || typeof value !== "object" ? String(value) : `an object with keys ${Object.keys(value).join(", ") || "none"}`;

/** Ports that carry nothing: sources end at once, sinks drop. For loading a program without running it. */
export function inertPorts<P extends Record<string, PortSpec>>(specs: P): Ports<P> {
  const ports = openPorts(specs);
  for (const port of Object.values(ports as Record<string, Inbound<unknown> | Outbound<unknown>>)) {
    if (port instanceof Inbound) void port.close();
  }
  return ports;
}
