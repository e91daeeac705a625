import { ENV_CONTROL_SECRET, ENV_SERVICE, type Address, type PortDirection } from "./protocol.js";
import { inertPorts, openPorts, type PortSpec, type Ports } from "./ports.js";
import { Inbound } from "./inbound.js";
import { Outbound } from "./outbound.js";
import { openControl } from "./control.js";
import { writtenOut } from "./written-out.js";
import { isCapturingGraphs } from "./dataflow/capture.js";
import { applyFaults, faultsByPort } from "./faults/rules.js";
import { reportMetrics } from "./metrics.js";

type StopHandler = () => void | Promise<void>;

const stopHandlers: StopHandler[] = [];
const outbounds: Outbound<unknown>[] = [];
let connected = false;

/**
 * The program's side of the handshake (docs/ARCHITECTURE.md §3): declares the ports, binds the ones the
 * deployer wired, reports `ready`, connects outbound ports on `start`, reports `started`.
 * Afterwards `stop` on stdin exits gracefully and stdin EOF exits at once.
 * While `hydro graph` loads the program there is no deployer: the ports are inert instead.
 */
export async function connect<P extends Record<string, PortSpec>>(specs: P): Promise<Ports<P>> {
  if (isCapturingGraphs()) return inertPorts(specs);
  const control = openControl();
  if (!control)
    throw new Error(
      `connect(): this program was not started by hydro-deploy (no ${ENV_SERVICE} and ${ENV_CONTROL_SECRET}; run it with \`hydro run <config>\`)`,
    );
  if (connected) throw new Error("connect() may be called only once per program");
  connected = true;
  control.keepAlive();

  const ports = openPorts(specs);
  try {
    const bind = await control.expect("bind");
    const bound: Record<string, Address> = {};
    const declared: Record<string, PortDirection> = {};
    for (const [name, port] of Object.entries(ports as Record<string, Inbound<unknown> | Outbound<unknown>>)) {
      declared[name] = port instanceof Inbound ? "in" : "out";
      const address = bind.ports[name];
      if (port instanceof Inbound && address) bound[name] = await port.listen(address, bind.senders[name] ?? []);
    }
    control.send({ type: "ready", declared, bound });

    const start = await control.expect("start");
    const faults = faultsByPort(start.faults ?? []);
    const connecting = Promise.all(
      Object.entries(ports as Record<string, Inbound<unknown> | Outbound<unknown>>).map(async ([name, port]) => {
        if (!(port instanceof Outbound)) return;
        outbounds.push(port);
        await port.connect(start.ports[name] ?? [], start.connectTimeoutMs, faults.get(name));
      }),
    );
    // The ports exist now (connecting goes on): later changes of the faults apply to them at once.
    control.onFaults(({ id, rules }) => control.send({ type: "faults", id, counts: applyFaults(outbounds, rules) }));
    await connecting;
    control.send({ type: "started" });
    if (start.metricsMs) reportMetrics((message) => control.send(message), ports, start.metricsMs);
  } catch (error) {
    control.send({ type: "error", message: (error as Error).message });
    throw error;
  }
  control.onStop(async () => {
    for (const handler of stopHandlers) await handler();
    await exit(0);
  });
  return ports;
}

/** Runs when the deployer asks the program to stop (teardown, Ctrl-C), before the ports are flushed. */
export function onStop(handler: StopHandler): void {
  stopHandlers.push(handler);
}

/** Flushes every outbound port and the program's own output, then exits: the way for a program to end on its own. */
export async function exit(code = 0): Promise<never> {
  await Promise.all(outbounds.map((port) => port.flush()));
  await writtenOut();
  process.exit(code);
}
