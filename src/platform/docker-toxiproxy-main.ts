// Entry point of the failover-drill/toxiproxy:embedded image (scripts/build-local-images.sh bundles
// it): our Toxiproxy-compatible server, listening like the official image (API on 0.0.0.0:8474, so
// it is reachable through the published port; proxies listen inside the drill network). As PID 1 it
// must handle SIGTERM/SIGINT itself, or `docker stop` would wait for its SIGKILL.
import { TOXIPROXY_API_VERSION, ToxiproxyServer } from "../toxiproxy/server.ts";

const host = process.env.TOXIPROXY_HOST ?? "0.0.0.0";
const port = Number(process.env.TOXIPROXY_PORT ?? "8474");

const server = await ToxiproxyServer.start({ host, port });
console.log(`toxiproxy ${TOXIPROXY_API_VERSION} API on ${server.url}`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void server.close().finally(() => process.exit(0));
  });
}
