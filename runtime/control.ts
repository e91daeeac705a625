import { encodeControl, parseLine, readLines, ENV_CONTROL_SECRET, ENV_HEARTBEAT, ENV_SERVICE, type DeployerMessage, type ProgramMessage } from "./protocol.js";

/**
 * The deployer's control lines on stdin, read from the moment the program starts (the prelude
 * opens this before any user code runs): stdin EOF exits at once, `stop` before connect() exits,
 * and on remote hosts silence longer than the heartbeat exits too.
 */
export interface Control {
  /** Writes a control line to the deployer, marked with this program's secret. */
  send(message: ProgramMessage): void;
  expect<K extends DeployerMessage["type"]>(type: K): Promise<Extract<DeployerMessage, { type: K }>>;
  /** After connect(): how `stop` is handled (graceful shutdown). */
  onStop(handler: () => void): void;
  /** From start on: how `faults` messages are handled (those that came before are handled now, in order). */
  onFaults(handler: (message: Extract<DeployerMessage, { type: "faults" }>) => void): void;
  /** From connect() on, the deployer's channel keeps the program alive (before, a plain script may end). */
  keepAlive(): void;
}

type Ref = { ref?(): void; unref?(): void };

let control: Control | undefined;

/** The control channel, opened once; undefined when the program was not started by hydro-deploy. */
export function openControl(): Control | undefined {
  if (control) return control;
  const secret = process.env[ENV_CONTROL_SECRET];
  if (!process.env[ENV_SERVICE] || !secret) return undefined;
  // User code, and whatever it starts, must not learn the secret: it could forge control lines.
  delete process.env[ENV_CONTROL_SECRET];
  return (control = readControl(secret));
}

function readControl(secret: string): Control {
  const pending: DeployerMessage[] = [];
  let wake: (() => void) | undefined;
  let faults: ((message: Extract<DeployerMessage, { type: "faults" }>) => void) | undefined;
  // Until connect() has ports to flush, stopping is just exiting.
  let stop: () => void = () => process.exit(0);
  const heard = deadMansSwitch(Number(process.env[ENV_HEARTBEAT]));
  readLines(
    process.stdin,
    (line) => {
      const parsed = parseLine<DeployerMessage>(line, secret);
      if (parsed.kind !== "control") return;
      heard();
      if (parsed.message.type === "ping") return;
      if (parsed.message.type === "stop") return stop();
      if (parsed.message.type === "faults" && faults) return faults(parsed.message);
      pending.push(parsed.message);
      wake?.();
    },
    () => process.exit(0),
  );
  (process.stdin as Ref).unref?.();
  return {
    send(message) {
      process.stdout.write(encodeControl(message, secret));
    },
    async expect(type) {
      for (;;) {
        const index = pending.findIndex((message) => message.type === type);
        if (index >= 0) return pending.splice(index, 1)[0] as never;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    onStop(handler) {
      stop = handler;
    },
    onFaults(handler) {
      faults = handler;
      for (let index; (index = pending.findIndex((message) => message.type === "faults")) >= 0;) handler(pending.splice(index, 1)[0] as never);
    },
    keepAlive() {
      (process.stdin as Ref).ref?.();
    },
  };
}

/** Exits when `ms` pass without a word from the deployer (0 or unset: never). Returns "heard from it". */
function deadMansSwitch(ms: number): () => void {
  if (!(ms > 0)) return () => {};
  // Time spent frozen (pause() sends SIGSTOP; a machine suspended) is no silence: the deployer's
  // pings of that time wait unread in stdin, and after a resume timers run before I/O. A tick far
  // later than its period shows a freeze, and the wait starts afresh.
  const period = ms / 4;
  let lastHeard = performance.now();
  let lastTick = lastHeard;
  setInterval(() => {
    const now = performance.now();
    if (now - lastTick > 2 * period) lastHeard = now;
    lastTick = now;
    if (now - lastHeard > ms) {
      console.error(`[hydro] no word from the deployer for ${ms} ms: exiting`);
      process.exit(1);
    }
  }, period).unref();
  return () => (lastHeard = performance.now());
}
