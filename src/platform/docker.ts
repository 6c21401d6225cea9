// The docker platform: every container of a drill (databases, apps, the proxy server) joins one
// per-drill Docker network, started through testcontainers, where containers find each other by
// alias. What runs in a database container is its engine's business (src/engines/<engine>/).
// Cleanup never depends on Ryuk: the network's disposer removes every container labelled with the
// drill and the network, and an exit hook does it synchronously through the docker CLI if the
// process exits first.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type Dockerode from "dockerode";
import {
  GenericContainer,
  getContainerRuntimeClient,
  ImageName,
  type BoundPorts,
  type ContainerRuntimeClient,
  type WaitStrategy,
} from "testcontainers";
import { waitUntil } from "../util/wait.ts";
import { runLabels } from "../lifeline/marker.ts";
import { httpAnswers } from "./http-probe.ts";

/** Label on every container and network of a drill; its value is the drill's id. */
export const DRILL_LABEL = "failover-drill.drill";

/** Every label of a drill's container or network: the drill id and the current run's marker. */
export function drillLabels(drillId: string): Record<string, string> {
  return { [DRILL_LABEL]: drillId, ...runLabels() };
}
const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;

export class DockerPlatformError extends Error {
  override name = "DockerPlatformError";
}

/**
 * A GenericContainer that joins the drill network at creation (so it is on no other network and a
 * disconnect really isolates it) and publishes its ports on loopback only: 127.0.0.1 unless
 * `withHostIp` names another loopback address for a port (a region's own address).
 */
export class DrillContainer extends GenericContainer {
  private readonly hostIps = new Map<string, string>();

  constructor(
    image: string,
    private readonly networkName: string,
    private readonly aliases: string[],
    /** `docker import` images cannot carry STOPSIGNAL, so each container says it. */
    private readonly stopSignal: NodeJS.Signals,
  ) {
    super(image);
    this.withNetworkMode(networkName);
  }

  /** Publishes `containerPort` (also given to withExposedPorts) on `hostIp` instead of 127.0.0.1. */
  withHostIp(containerPort: number, hostIp: string): this {
    this.hostIps.set(`${containerPort}/tcp`, hostIp);
    return this;
  }

  protected override async beforeContainerCreated(): Promise<void> {
    this.createOpts.StopSignal = this.stopSignal;
    this.createOpts.NetworkingConfig = {
      EndpointsConfig: { [this.networkName]: { Aliases: this.aliases } },
    };
    const portBindings = (this.hostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string }[]>;
    for (const [port, bindings] of Object.entries(portBindings)) {
      for (const binding of bindings) binding.HostIp = this.hostIps.get(port) ?? "127.0.0.1";
    }
  }
}

/** What a container joins a drill through: the drill's network, labels and container runtime. */
export interface DrillNetwork {
  /** Labels every container and the network of this drill. */
  readonly drillId: string;
  readonly networkName: string;
  /** The container runtime (apps and proxies join through it). */
  readonly runtime: ContainerRuntimeClient;
  /** The Docker API client, for faults testcontainers has no verb for (kill, pause, disconnect). */
  readonly dockerode: ContainerRuntimeClient["container"]["dockerode"];
  /**
   * A container on this drill's network under `alias`, labelled with the drill id so that the
   * network's disposer (and the exit hook) removes it with the rest.
   */
  container(image: string, alias: string, stopSignal?: NodeJS.Signals): DrillContainer;
}

/** One drill's Docker network; disposing removes it with every container labelled with the drill. */
export class DockerDrillNetwork implements DrillNetwork, AsyncDisposable {
  private disposed = false;

  private constructor(
    readonly drillId: string,
    readonly networkName: string,
    readonly runtime: ContainerRuntimeClient,
  ) {}

  /** Creates the network `failover-drill-<drillId>` (random id when omitted). */
  static async create(drillId = randomBytes(4).toString("hex")): Promise<DockerDrillNetwork> {
    // It becomes part of docker network and container names.
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(drillId)) {
      throw new DockerPlatformError(`drill id ${JSON.stringify(drillId)} is not usable in docker names`);
    }
    // Our disposer and exit hook remove everything, so Ryuk is not needed, and its image cannot be
    // pulled where no registry is reachable. TESTCONTAINERS_RYUK_DISABLED=false turns it back on (it
    // also reaps after a kill -9 of the drill).
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
    const runtime = await getContainerRuntimeClient();
    installExitHook();
    liveDrills.add(drillId);
    const network = new DockerDrillNetwork(drillId, `failover-drill-${drillId}`, runtime);
    try {
      await runtime.network.create({
        Name: network.networkName,
        Driver: "bridge",
        Labels: drillLabels(drillId),
        CheckDuplicate: true,
      });
    } catch (error) {
      await network[Symbol.asyncDispose]().catch(() => undefined);
      throw error;
    }
    return network;
  }

  /**
   * One more network of this drill, `<networkName>-<suffix>`, labelled like the rest so the disposer
   * removes it too. Returns its name.
   */
  async createExtraNetwork(suffix: string): Promise<string> {
    const name = `${this.networkName}-${suffix}`;
    await this.runtime.network.create({
      Name: name,
      Driver: "bridge",
      Labels: drillLabels(this.drillId),
      CheckDuplicate: true,
    });
    return name;
  }

  /** Connects a container to another network of the drill; returns its address there. */
  async connect(containerId: string, network: string): Promise<string> {
    await this.dockerode.getNetwork(network).connect({ Container: containerId });
    const info = await this.dockerode.getContainer(containerId).inspect();
    const address = info.NetworkSettings.Networks[network]?.IPAddress;
    if (address === undefined || address === "")
      throw new DockerPlatformError(`container ${containerId} has no address on ${network}`);
    return address;
  }

  get dockerode(): ContainerRuntimeClient["container"]["dockerode"] {
    return this.runtime.container.dockerode;
  }

  container(image: string, alias: string, stopSignal: NodeJS.Signals = "SIGTERM"): DrillContainer {
    return new DrillContainer(image, this.networkName, [alias], stopSignal)
      .withName(`${this.networkName}-${alias}`)
      .withLabels(drillLabels(this.drillId));
  }

  /** Thaws paused containers, removes every container (with its volumes) and the network. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await removeDrillResources(this.runtime, this.drillId);
    } finally {
      liveDrills.delete(this.drillId);
    }
  }
}

/** Removes every container (with its volumes) and network labelled with the drill id. */
async function removeDrillResources(client: ContainerRuntimeClient, drillId: string): Promise<void> {
  const filters = JSON.stringify({ label: [`${DRILL_LABEL}=${drillId}`] });
  const docker = client.container.dockerode;
  const errors: unknown[] = [];
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map(async (c) => {
      // A paused container cannot be removed until it is thawed (even with force on some engines).
      if (c.State === "paused")
        await docker
          .getContainer(c.Id)
          .unpause()
          .catch(() => undefined);
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch((error: unknown) => errors.push(error));
    }),
  );
  for (const n of await docker.listNetworks({ filters })) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch((error: unknown) => errors.push(error));
  }
  if (errors.length > 0) throw new AggregateError(errors, `cleanup of drill ${drillId} failed`);
}

/** Drills whose resources the exit hook removes if the process exits before they were disposed. */
const liveDrills = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const drillId of liveDrills) removeDrillResourcesNow(drillId);
  });
}

/** Synchronous last resort for process exit (mocha --exit, process.exit after a signal). */
export function removeDrillResourcesNow(drillId: string): void {
  const filter = `label=${DRILL_LABEL}=${drillId}`;
  const ids = spawnSync("docker", ["ps", "-aq", "--filter", filter], { encoding: "utf8" }).stdout?.trim();
  if (ids) {
    const list = ids.split(/\s+/);
    spawnSync("docker", ["unpause", ...list], { stdio: "ignore" });
    spawnSync("docker", ["rm", "-f", "-v", ...list], { stdio: "ignore" });
  }
  const networks = spawnSync("docker", ["network", "ls", "-q", "--filter", filter], {
    encoding: "utf8",
  }).stdout?.trim();
  if (networks) spawnSync("docker", ["network", "rm", ...networks.split(/\s+/)], { stdio: "ignore" });
}

/**
 * Runs `start`; when it fails and `image` was not present beforehand (so a pull was tried, which
 * fails without a registry), the error says how to build the image here instead.
 */
export async function withImageHint<T>(
  client: ContainerRuntimeClient,
  image: string,
  start: () => Promise<T>,
): Promise<T> {
  const imagePresent = await client.image.exists(ImageName.fromString(image));
  try {
    return await start();
  } catch (error) {
    if (imagePresent) throw error;
    throw new DockerPlatformError(
      `image ${image} is not present and could not be pulled; build it with scripts/build-local-images.sh`,
      { cause: error },
    );
  }
}

/**
 * Waits until an HTTP GET of `path` on the container's published `port` gets any answer. Unlike
 * testcontainers' HTTP wait it asks 127.0.0.1, where drill containers publish: testcontainers
 * resolves the docker host to the bridge gateway (172.17.0.1) when it runs inside a container
 * itself, and loopback-only ports are not reachable there. It fails fast if the container exits.
 */
export class LoopbackHttpWaitStrategy implements WaitStrategy {
  private startupTimeoutMs = DEFAULT_STARTUP_TIMEOUT_MS;
  private timeoutSet = false;

  constructor(
    private readonly path: string,
    private readonly port: number,
  ) {}

  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }

  async waitUntilReady(container: Dockerode.Container, boundPorts: BoundPorts): Promise<void> {
    const url = `http://127.0.0.1:${boundPorts.getBinding(this.port)}${this.path}`;
    await waitUntil(
      async () => {
        if (await httpAnswers(url, 1000)) return true;
        const state = (await container.inspect()).State;
        if (!state.Running) {
          throw new DockerPlatformError(
            `container exited with code ${state.ExitCode} before ${url} answered`,
          );
        }
        return false;
      },
      {
        timeoutMs: this.startupTimeoutMs,
        intervalMs: 100,
        retryErrors: false,
        describe: () => `${url} did not answer within ${this.startupTimeoutMs} ms`,
        error: (message) => new DockerPlatformError(message),
      },
    );
  }
}
