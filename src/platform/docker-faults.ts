// Region outages on the docker platform, each with its own heal:
//   kill     docker kill (SIGKILL to PostgreSQL, PID 1): power loss; heal = start, crash recovery
//   stop     docker stop (SIGINT, fast shutdown, SIGKILL after a grace period); heal = start
//   pause    docker pause (cgroup freezer): the server hangs, connections stall; heal = unpause
//   network  disconnect from the drill network: no peer, no published port; heal = reconnect
// A heal waits until the server accepts connections again, so the drill's recovery wait starts from
// a server that is really back.
import { setTimeout as delay } from "node:timers/promises";
import { DockerPlatformError, type DockerPostgresCluster, type PostgresContainer } from "./docker.ts";

export type ContainerOutageMode = "kill" | "stop" | "pause" | "network";

/** Seconds docker waits after the stop signal before it SIGKILLs. */
const STOP_GRACE_S = 10;
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 100;

/** A container an outage hits: its id and the aliases it has on the drill network. */
export interface OutageTarget {
  id: string;
  aliases: string[];
}

export class ContainerOutage {
  private healing: Promise<void> | undefined;

  constructor(
    readonly target: OutageTarget,
    readonly mode: ContainerOutageMode,
    private readonly undo: () => Promise<void>,
    /** Resolves once what runs in the container serves again. */
    private readonly ready: () => Promise<void>,
  ) {}

  get healed(): boolean {
    return this.healing !== undefined;
  }

  /** Undoes the outage and waits until the server accepts connections. Idempotent. */
  heal(): Promise<void> {
    this.healing ??= (async () => {
      await this.undo();
      await this.ready();
    })();
    return this.healing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.heal();
  }
}

/** Polls pg_isready inside the container (over TCP, as peers would connect). */
export async function waitUntilReady(node: PostgresContainer, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const result = await node.container
      .exec(["pg_isready", "-q", "-h", "127.0.0.1", "-t", "1"], { user: "postgres" })
      .catch(() => undefined);
    if (result?.exitCode === 0) return;
    if (performance.now() > deadline) {
      throw new DockerPlatformError(`${node.alias} did not accept connections within ${timeoutMs} ms`);
    }
    await delay(READY_POLL_MS);
  }
}

/** Injects an outage of `mode` on a region's database container and returns its heal. */
export function injectContainerOutage(
  cluster: DockerPostgresCluster,
  region: string,
  mode: ContainerOutageMode,
): Promise<ContainerOutage> {
  const node = cluster.node(region);
  return containerOutage(cluster, { id: node.id, aliases: [node.alias] }, mode, () => waitUntilReady(node));
}

/**
 * Injects an outage of `mode` on any container of the drill (a database, an app); its heal undoes
 * it and then waits for `ready`.
 */
export async function containerOutage(
  cluster: DockerPostgresCluster,
  target: OutageTarget,
  mode: ContainerOutageMode,
  ready: () => Promise<void>,
): Promise<ContainerOutage> {
  const docker = cluster.dockerode;
  const container = docker.getContainer(target.id);
  const network = docker.getNetwork(cluster.networkName);
  const start = async (): Promise<void> => {
    await container.start();
  };
  let undo: () => Promise<void>;
  switch (mode) {
    case "kill":
      await container.kill({ signal: "SIGKILL" });
      await container.wait();
      undo = start;
      break;
    case "stop":
      await container.stop({ t: STOP_GRACE_S });
      undo = start;
      break;
    case "pause":
      await container.pause();
      undo = async () => {
        await container.unpause();
      };
      break;
    case "network":
      await network.disconnect({ Container: target.id, Force: true });
      undo = async () => {
        await network.connect({ Container: target.id, EndpointConfig: { Aliases: target.aliases } });
      };
      break;
  }
  return new ContainerOutage(target, mode, undo, ready);
}
