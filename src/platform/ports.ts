// Ports are always allocated by the kernel (bind to port 0), never fixed: other drills and test runs
// share the machine. Each region gets its own loopback address, so one port number can be free on
// every region at once (the client endpoint uses that, so DNS only has to change the address).
import net from "node:net";
import { blockAddress } from "./address-block.ts";

export class PortAllocationError extends Error {
  override name = "PortAllocationError";
}

/**
 * Ports handed out recently. A port is only reserved while we hold it, so two calls in a row could
 * otherwise get the same number before either caller binds it.
 */
const recentlyHandedOut = new Map<number, number>();
const REMEMBER_MS = 60_000;

function remember(port: number): void {
  const now = Date.now();
  for (const [p, at] of recentlyHandedOut) if (now - at > REMEMBER_MS) recentlyHandedOut.delete(p);
  recentlyHandedOut.set(port, now);
}

function listen(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    // exclusive: a cluster worker must not share the handle; we want a real bind on this address.
    server.listen({ host, port, exclusive: true }, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function boundPort(server: net.Server): number {
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new PortAllocationError("server has no TCP address");
  return address.port;
}

/** A TCP port that is free on `host` right now. */
export async function freePort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = await listen(host, 0);
    const port = boundPort(server);
    await close(server);
    if (!recentlyHandedOut.has(port)) {
      remember(port);
      return port;
    }
  }
  throw new PortAllocationError(`no fresh free port on ${host}`);
}

/** One TCP port number that is free on every one of `hosts` at the same time. */
export async function freePortOnAll(hosts: string[]): Promise<number> {
  const [first, ...rest] = hosts;
  if (first === undefined) throw new PortAllocationError("freePortOnAll needs at least one host");
  for (let attempt = 0; attempt < 50; attempt++) {
    const held: net.Server[] = [];
    try {
      const server = await listen(first, 0);
      held.push(server);
      const port = boundPort(server);
      if (recentlyHandedOut.has(port)) continue;
      let freeEverywhere = true;
      for (const host of rest) {
        try {
          held.push(await listen(host, port));
        } catch {
          freeEverywhere = false;
          break;
        }
      }
      if (freeEverywhere) {
        remember(port);
        return port;
      }
    } finally {
      await Promise.all(held.map(close));
    }
  }
  throw new PortAllocationError(`no port free on all of ${hosts.join(", ")}`);
}

/**
 * The loopback address of region `index` (0-based) in address block `block` (address-block.ts):
 * 127.<block>.<index+1>.1. Linux routes all of 127/8 to lo.
 */
export function regionAddress(index: number, block = 0): string {
  if (!Number.isInteger(index) || index < 0 || index > 98) {
    throw new RangeError(`region index ${index} is outside 0..98`);
  }
  return blockAddress(block, index + 1);
}
