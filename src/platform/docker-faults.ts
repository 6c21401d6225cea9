// Region outages on the docker platform, each with its own heal:
//   kill     docker kill (SIGKILL to the server, PID 1): power loss; heal = start, crash recovery
//   stop     docker stop (its stop signal, SIGKILL after a grace period); heal = start
//   pause    docker pause (cgroup freezer): the server hangs, connections stall; heal = unpause
//   network  disconnect from the drill network: no peer, no published port; heal = reconnect
// A heal waits until what runs in the container serves again, so the drill's recovery wait starts
// from a server that is really back.
import type { DrillNetwork } from "./docker.ts";

export type ContainerOutageMode = "kill" | "stop" | "pause" | "network";

/** Seconds docker waits after the stop signal before it SIGKILLs. */
const STOP_GRACE_S = 10;

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

  /** Undoes the outage and waits until what runs in the container serves again. Idempotent. */
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

/**
 * Injects an outage of `mode` on any container of the drill (a database, an app); its heal undoes
 * it and then waits for `ready`.
 */
export async function containerOutage(
  network: DrillNetwork,
  target: OutageTarget,
  mode: ContainerOutageMode,
  ready: () => Promise<void>,
): Promise<ContainerOutage> {
  const docker = network.dockerode;
  const container = docker.getContainer(target.id);
  const drillNetwork = docker.getNetwork(network.networkName);
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
      await drillNetwork.disconnect({ Container: target.id, Force: true });
      undo = async () => {
        await drillNetwork.connect({ Container: target.id, EndpointConfig: { Aliases: target.aliases } });
      };
      break;
  }
  return new ContainerOutage(target, mode, undo, ready);
}
