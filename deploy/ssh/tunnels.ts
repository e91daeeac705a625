import net from "node:net";
import type { Duplex } from "node:stream";
import type { Client, ClientChannel } from "ssh2";
import type { Address } from "../host.js";
import { HydroError } from "../errors.js";

/**
 * Port forwards over one SSH connection, in both directions, each opened once per address:
 * `to` a host's address from a deployer-side loopback port, `from` a host's loopback port back to a
 * deployer-side address.
 */
export class Tunnels {
  private readonly opened = new Map<string, Promise<Address>>();
  private readonly servers: net.Server[] = [];
  private readonly reverse = new Map<number, Address>();

  constructor(
    private readonly client: Client,
    private readonly host: string,
  ) {
    // Connections into reverse tunnels arrive here, by the remote port they came in on.
    client.on("tcp connection", (info, accept, reject) => {
      const target = this.reverse.get(info.destPort);
      if (!target) return reject();
      splice(openLocal(target), accept());
    });
  }

  /** A byte stream to `address` as the host sees it. */
  open(address: Address): Promise<Duplex> {
    return forward((callback) =>
      address.kind === "unix"
        ? this.client.openssh_forwardOutStreamLocal(address.path, callback)
        : this.client.forwardOut("127.0.0.1", 0, address.host, address.port, callback),
    );
  }

  /** Loopback TCP (not a unix socket), so a process() on the deployer gets a host:port too. */
  to(address: Address): Promise<Address> {
    return this.once(`to ${JSON.stringify(address)}`, () => {
      return new Promise((resolve, reject) => {
        const server = net.createServer({ noDelay: true }, (socket) => {
          this.open(address).then(
            (stream) => splice(socket, stream),
            () => socket.destroy(),
          );
        });
        this.servers.push(server);
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve({ kind: "tcp", host: "127.0.0.1", port: (server.address() as net.AddressInfo).port }));
      });
    });
  }

  from(address: Address): Promise<Address> {
    return this.once(`from ${JSON.stringify(address)}`, () => {
      return new Promise((resolve, reject) => {
        this.client.forwardIn("127.0.0.1", 0, (error, port) => {
          if (error) return reject(new HydroError(`ssh host "${this.host}": cannot open a reverse tunnel: ${error.message}`));
          this.reverse.set(port, address);
          resolve({ kind: "tcp", host: "127.0.0.1", port });
        });
      });
    });
  }

  private once(key: string, open: () => Promise<Address>): Promise<Address> {
    let tunnel = this.opened.get(key);
    if (!tunnel) this.opened.set(key, (tunnel = open()));
    return tunnel;
  }

  close(): void {
    for (const server of this.servers) server.close();
  }

  /** Closes every tunnel and forgets them, keeping the connection: a pool's host between deployments, whose ports are new each time. */
  reset(): void {
    this.close();
    this.servers.length = 0;
    this.opened.clear();
    for (const port of this.reverse.keys()) this.client.unforwardIn("127.0.0.1", port);
    this.reverse.clear();
  }
}

export function forward(open: (callback: (error: Error | undefined, channel: ClientChannel) => void) => Client): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    open((error, channel) => (error ? reject(error) : resolve(channel)));
  });
}

function openLocal(address: Address): net.Socket {
  return address.kind === "unix" ? net.connect(address.path) : net.connect({ host: address.host, port: address.port, noDelay: true });
}

/** Pipes two byte streams into each other; either one closing closes both. */
function splice(a: Duplex, b: Duplex): void {
  a.pipe(b).pipe(a);
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.once("close", close);
  b.once("close", close);
  a.on("error", close);
  b.on("error", close);
}
