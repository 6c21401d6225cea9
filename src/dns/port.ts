// A port free for both UDP and TCP on one address: DNS servers (BIND, Unbound) listen on both, and a
// port the kernel hands out for one protocol may be taken for the other.
import { createSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { freePort, PortAllocationError } from "../platform/ports.ts";

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

export async function freeDnsPort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort(host);
    if (await udpFree(host, port)) return port;
  }
  throw new PortAllocationError(`no port free for both UDP and TCP on ${host}`);
}
