// One process of an HA stack (an etcd member, a Patroni member, an HAProxy) in its own container on
// the drill's networks, driven like a local Service: start, kill (docker kill), stop (docker stop),
// pause (cgroup freezer), cut off (leaves every network) and heal. The container is created once and
// restarted in place, so its files (a data directory) survive a kill as a machine's disk does; its
// published ports are fixed host ports, so the drill reaches it at the same place after a restart.
import { randomBytes } from "node:crypto";
import { waitUntil } from "../util/wait.ts";
import { drillLabels, DockerPlatformError, type DrillNetwork } from "./docker.ts";

export interface StackContainerSpec {
  /** Its alias on the drill network and the end of its container name, e.g. etcd-us-east. */
  alias: string;
  image: string;
  cmd: string[];
  user?: string;
  env?: Record<string, string>;
  /** host:container[:ro] */
  binds?: string[];
  /** name:address lines for /etc/hosts (they win over the network's DNS). */
  extraHosts?: string[];
  /** More networks to join (by name) besides the drill network, before it starts. */
  networks?: string[];
  /** Ports published on 127.0.0.1 at fixed host ports. */
  publish?: Array<{ containerPort: number; hostPort: number }>;
  stopSignal?: NodeJS.Signals;
  /** Whether what runs in it serves (asked from the host). */
  ready(): Promise<boolean>;
  readyTimeoutMs: number;
}

export class StackContainer {
  private id: string | undefined;
  private up = false;
  private frozen = false;
  private cutOff = false;

  constructor(
    private readonly network: DrillNetwork,
    readonly spec: StackContainerSpec,
  ) {}

  get containerId(): string {
    if (this.id === undefined) throw new DockerPlatformError(`${this.spec.alias}: not created`);
    return this.id;
  }

  get running(): boolean {
    return this.up;
  }

  get paused(): boolean {
    return this.up && this.frozen;
  }

  private get container(): ReturnType<DrillNetwork["dockerode"]["getContainer"]> {
    return this.network.dockerode.getContainer(this.containerId);
  }

  private get allNetworks(): string[] {
    return [this.network.networkName, ...(this.spec.networks ?? [])];
  }

  private async create(): Promise<void> {
    const { spec } = this;
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of spec.publish ?? []) {
      exposed[`${p.containerPort}/tcp`] = {};
      bindings[`${p.containerPort}/tcp`] = [{ HostIp: "127.0.0.1", HostPort: String(p.hostPort) }];
    }
    const container = await this.network.dockerode.createContainer({
      name: `${this.network.networkName}-${spec.alias}-${randomBytes(2).toString("hex")}`,
      Image: spec.image,
      Cmd: spec.cmd,
      ...(spec.user === undefined ? {} : { User: spec.user }),
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: drillLabels(this.network.drillId),
      ExposedPorts: exposed,
      StopSignal: spec.stopSignal ?? "SIGTERM",
      HostConfig: {
        NetworkMode: this.network.networkName,
        PortBindings: bindings,
        Binds: spec.binds ?? [],
        ExtraHosts: spec.extraHosts ?? [],
        // Reaps what the stack's programs leave (Patroni's PostgreSQL helpers), as an init does.
        Init: true,
      },
      NetworkingConfig: { EndpointsConfig: { [this.network.networkName]: { Aliases: [spec.alias] } } },
    });
    this.id = container.id;
    for (const name of spec.networks ?? []) {
      await this.network.dockerode.getNetwork(name).connect({ Container: container.id });
    }
  }

  /** Creates it the first time, starts it; `wait` = until ready. */
  async start(wait = true): Promise<void> {
    if (this.up) return;
    if (this.id === undefined) await this.create();
    await this.container.start();
    this.up = true;
    if (wait) await this.waitReady();
  }

  /** Until ready; fails at once, with the container's log, when it exits instead. */
  async waitReady(timeoutMs = this.spec.readyTimeoutMs): Promise<void> {
    await waitUntil(
      async () => {
        const state = (await this.container.inspect()).State;
        if (!state.Running) {
          throw new DockerPlatformError(
            `${this.spec.alias} exited (code ${state.ExitCode}) before it was ready; its log ends:\n${await this.logTail()}`,
          );
        }
        return this.spec.ready();
      },
      {
        timeoutMs,
        intervalMs: 100,
        retryErrors: false,
        describe: () => `${this.spec.alias} to be ready`,
      },
    );
  }

  async logTail(lines = 15): Promise<string> {
    const buffer = (await this.container.logs({ stdout: true, stderr: true, tail: lines })) as Buffer;
    // The multiplexed stream's 8-byte frame headers are noise in a message.
    return buffer
      .toString("utf8")
      .replace(/[\x00-\x08]/g, "") // eslint-disable-line no-control-regex
      .trimEnd();
  }

  /** SIGKILL to everything in it: power loss. */
  async kill(): Promise<void> {
    if (!this.up) return;
    this.up = false;
    if (this.frozen) await this.container.unpause().catch(() => undefined);
    this.frozen = false;
    await this.container.kill({ signal: "SIGKILL" }).catch(ignoreNotRunning);
    await this.container.wait();
  }

  /** Its own graceful shutdown (its stop signal); SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (!this.up) return;
    this.up = false;
    if (this.frozen) await this.container.unpause().catch(() => undefined);
    this.frozen = false;
    await this.container.stop({ t: Math.ceil(graceMs / 1000) }).catch(ignoreNotRunning);
  }

  async pause(): Promise<void> {
    if (!this.up || this.frozen) return;
    await this.container.pause();
    this.frozen = true;
  }

  async resume(): Promise<void> {
    if (!this.frozen) return;
    await this.container.unpause();
    this.frozen = false;
  }

  /** Leaves every network: no peer reaches it and it reaches none. Returns the reconnect. */
  async isolate(): Promise<() => Promise<void>> {
    for (const name of this.allNetworks) {
      await this.network.dockerode.getNetwork(name).disconnect({ Container: this.containerId, Force: true });
    }
    this.cutOff = true;
    return () => this.reconnect();
  }

  private async reconnect(): Promise<void> {
    if (!this.cutOff) return;
    this.cutOff = false;
    for (const name of this.allNetworks) {
      await this.network.dockerode.getNetwork(name).connect({
        Container: this.containerId,
        ...(name === this.network.networkName ? { EndpointConfig: { Aliases: [this.spec.alias] } } : {}),
      });
    }
  }

  /** After any outage: thawed, reconnected, started again if it died, and ready. */
  async heal(): Promise<void> {
    await this.resume();
    await this.reconnect();
    if (!this.up) await this.start(false);
    await this.waitReady();
  }
}

/** docker kill/stop of a container that already exited: nothing left to do. */
function ignoreNotRunning(error: unknown): void {
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 304 || status === 409) return;
  throw error;
}
