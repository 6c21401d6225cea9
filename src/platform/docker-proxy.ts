// Toxiproxy on the docker platform: one container on the drill network, its API published on
// 127.0.0.1 so ProxyControl drives it from the host, its proxies listening inside the network so apps
// reach their database through it (app -> toxiproxy:<port> -> db-<region>:5432). The image is either
// the official one or ours (failover-drill/toxiproxy:embedded, the embedded server bundled onto the
// app image by scripts/build-local-images.sh); both serve the same API on :8474 by default.
import { ImageName, PullPolicy, type StartedTestContainer } from "testcontainers";
import { ProxyControl } from "../toxiproxy/client.ts";
import { LoopbackHttpWaitStrategy, withImageHint, type DrillNetwork } from "./docker.ts";

export const OFFICIAL_TOXIPROXY_IMAGE = "ghcr.io/shopify/toxiproxy:2.12.0";
export const EMBEDDED_TOXIPROXY_IMAGE = "failover-drill/toxiproxy:embedded";
export const TOXIPROXY_API_PORT = 8474;
export const TOXIPROXY_ALIAS = "toxiproxy";
/** Proxies listen from here up inside the container (its own network namespace: no host port). */
export const FIRST_PROXY_PORT = 20_000;
const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;

export interface DockerToxiproxyOptions {
  /** Default: the official image if present, else the embedded one if present, else the official (pulled). */
  image?: string;
  alias?: string;
  /**
   * Proxy ports the host reaches directly, each on its own loopback address: a region's client
   * endpoint is <region address>:<service port> on the host, as on the local platform.
   */
  publish?: PublishedProxyPort[];
  startupTimeoutMs?: number;
}

export interface PublishedProxyPort {
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

export class ToxiproxyContainer {
  constructor(
    readonly image: string,
    /** Name containers on the drill network use to reach the proxies. */
    readonly alias: string,
    readonly container: StartedTestContainer,
  ) {}

  /** The API as the host reaches it. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.container.getMappedPort(TOXIPROXY_API_PORT)}`;
  }

  /** A ProxyControl for this server (the same class that drives the process-platform proxies). */
  control(): ProxyControl {
    return new ProxyControl(this.apiUrl);
  }

  /** Where containers reach a proxy listening on `port`. */
  endpoint(port: number): { host: string; port: number } {
    return { host: this.alias, port };
  }
}

/** Never pulls what is here: the official image when present, ours when it is the one present. */
export async function resolveToxiproxyImage(network: DrillNetwork, requested?: string): Promise<string> {
  if (requested !== undefined) return requested;
  const images = network.runtime.image;
  if (await images.exists(ImageName.fromString(OFFICIAL_TOXIPROXY_IMAGE))) return OFFICIAL_TOXIPROXY_IMAGE;
  if (await images.exists(ImageName.fromString(EMBEDDED_TOXIPROXY_IMAGE))) return EMBEDDED_TOXIPROXY_IMAGE;
  return OFFICIAL_TOXIPROXY_IMAGE;
}

/** Starts the Toxiproxy container on the drill network; the network's disposer removes it. */
export async function startToxiproxyContainer(
  network: DrillNetwork,
  options: DockerToxiproxyOptions = {},
): Promise<ToxiproxyContainer> {
  const image = await resolveToxiproxyImage(network, options.image);
  const alias = options.alias ?? TOXIPROXY_ALIAS;
  return withImageHint(network.runtime, image, async () => {
    // Both images' default command serves the API on 0.0.0.0:8474 (the official one: -host=0.0.0.0).
    const published = options.publish ?? [];
    let definition = network
      .container(image, alias)
      .withPullPolicy(PullPolicy.defaultPolicy())
      .withExposedPorts(
        TOXIPROXY_API_PORT,
        ...published.map((p) => ({ container: p.containerPort, host: p.hostPort })),
      );
    for (const p of published) definition = definition.withHostIp(p.containerPort, p.hostIp);
    const container = await definition
      .withWaitStrategy(new LoopbackHttpWaitStrategy("/version", TOXIPROXY_API_PORT))
      .withStartupTimeout(options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS)
      .start();
    return new ToxiproxyContainer(image, alias, container);
  });
}
