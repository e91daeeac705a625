/** The bridge between a Python config and the deployer: docs/python-bridge.md is the contract. */
export const BRIDGE_VERSION = 1;
/** The longest message line either side may send. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface PythonSite {
  file: string;
  line: number;
}

/** What the Python side sends. */
export type FromPython =
  | { hello: "hydro-python"; version: number; python?: string }
  | { id: number; call: string; target?: number; args?: Record<string, unknown>; site?: PythonSite }
  | { done: true }
  | { failed: { type: string; message: string; site?: PythonSite; traceback?: string } };

export interface ErrorReply {
  type: string;
  message: string;
  /** CloudError's. */
  provider?: string;
  code?: string;
  /** HostError's and ProgramFailedError's. */
  host?: string;
  program?: string;
  /** ProgramFailedError's: how the program ended, if it did, and the last lines of its stderr. */
  exitCode?: number;
  stderrTail?: string[];
}

/** A host kind a Python config can declare: `deployment.<constructor>(…)`. */
export interface PythonHostKind {
  kind: string;
  constructor: string;
  /** Python keyword → TS option, where not the TS name camelCased. */
  aliases: Record<string, string>;
}

/** What the deployer sends. */
export type ToPython =
  { hello: "hydro-deploy"; version: number; error?: string; hosts?: PythonHostKind[] } | { id: number; ok: unknown } | { id: number; error: ErrorReply };
