// Each running drill gets a block of loopback addresses of its own, 127.B.0.0/16: region i listens on
// 127.B.(i+1).1, the sites outside every region (a Patroni witness, a pg_auto_failover monitor) on
// 127.B.100.1 and 127.B.101.1. Linux routes all of 127/8 to lo, so two drills on one machine (CI jobs
// side by side) never share an address, and a port one drill picked cannot be taken by the other
// before it binds it. The first drill gets B = 0 (127.0.N.1, as the docs show); others another B.
//
// The lease is a listening socket on 127.B.254.1:LEASE_PORT: the kernel hands it to one process only
// and frees it when that process dies, however it dies, so a killed runner never leaves a stale lease.
import net from "node:net";

/** The fixed port of the lease socket (any port works; a fixed one is what makes it exclusive). */
export const LEASE_PORT = 47_319;
const LEASE_SITE = 254;
/** B = 1..MAX_BLOCK after 0; 255 stays out (127.255.255.255 is the broadcast address). */
const MAX_BLOCK = 250;

/** Third octets of the sites that are not regions. */
export const SITES = { witness: 100, monitor: 101 } as const;

export class AddressBlockError extends Error {
  override name = "AddressBlockError";
}

/** 127.<block>.<site>.1 */
export function blockAddress(block: number, site: number): string {
  if (!Number.isInteger(block) || block < 0 || block > MAX_BLOCK)
    throw new RangeError(`address block ${block} is outside 0..${MAX_BLOCK}`);
  if (!Number.isInteger(site) || site < 1 || site > 254)
    throw new RangeError(`site ${site} is outside 1..254`);
  return `127.${block}.${site}.1`;
}

function tryListen(host: string): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(undefined));
    server.listen({ host, port: LEASE_PORT, exclusive: true }, () => {
      // Never keeps the process alive; anyone who connects is turned away.
      server.unref();
      server.on("connection", (socket) => socket.destroy());
      resolve(server);
    });
  });
}

export class AddressBlock {
  private released = false;

  private constructor(
    readonly block: number,
    private readonly lease: net.Server,
  ) {}

  /** The first free block: 0 when no other drill runs, else one from a random starting point. */
  static async lease(): Promise<AddressBlock> {
    const start = 1 + Math.floor(Math.random() * MAX_BLOCK);
    const order = [0, ...Array.from({ length: MAX_BLOCK }, (_, i) => 1 + ((start - 1 + i) % MAX_BLOCK))];
    for (const block of order) {
      const server = await tryListen(blockAddress(block, LEASE_SITE));
      if (server !== undefined) return new AddressBlock(block, server);
    }
    throw new AddressBlockError(
      `every loopback address block 127.0-${MAX_BLOCK}.x.x is taken (port ${LEASE_PORT} on 127.B.${LEASE_SITE}.1): ` +
        "that many drills cannot run at once on one machine",
    );
  }

  /** Region `index` (0-based): 127.B.(index+1).1. */
  region(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index > 98)
      throw new RangeError(`region index ${index} is outside 0..98`);
    return blockAddress(this.block, index + 1);
  }

  site(name: keyof typeof SITES): string {
    return blockAddress(this.block, SITES[name]);
  }

  release(): Promise<void> {
    if (this.released) return Promise.resolve();
    this.released = true;
    return new Promise((resolve) => this.lease.close(() => resolve()));
  }
}
