// App containers on the docker platform: one per region, on the drill network, published on
// loopback. The app is configuration ("bring your own app"): any image that serves HTTP on `port`,
// answers `healthPath` once it is up and accepts writes on `writePath`. Its environment is templated
// per region, so an app that reads its database from ORDERS_DB instead of DATABASE_URL still works.
import { PullPolicy, type StartedTestContainer } from "testcontainers";
import { REFERENCE_APP_ENDPOINTS } from "../drill/types.ts";
import { appEnvironment, renderTemplate, type DatabaseEndpoint } from "./app-env.ts";
import { DockerPlatformError, LoopbackHttpWaitStrategy, withImageHint, type DrillNetwork } from "./docker.ts";

export const DEFAULT_APP_IMAGE = "failover-drill/app:bookworm";
const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;

/** How to run an app; every field has the reference app's value as default. */
export interface DockerAppSpec {
  image?: string;
  /** Overrides the image's CMD; each argument is templated like `env`. */
  command?: string[];
  /** The port the app listens on inside its container. */
  port?: number;
  /** Answers any HTTP status once the app is up (the reference app says 503 on a standby). */
  healthPath?: string;
  /** Where a client POSTs write `{{id}}`. */
  writePath?: string;
  /** Extra environment; values may use {{DATABASE_URL}}, {{DATABASE_HOST}}, {{DATABASE_PORT}}, {{REGION}}, {{PORT}}. */
  env?: Record<string, string>;
}

export const REFERENCE_APP: Required<Omit<DockerAppSpec, "command">> = {
  image: DEFAULT_APP_IMAGE,
  ...REFERENCE_APP_ENDPOINTS,
  env: {},
};

export interface DockerAppOptions {
  app?: DockerAppSpec;
  /** Containers are aliased `<name>-<region>` on the drill network; several apps need several names. */
  name?: string;
  /** Default: the network's database regions, when it knows them (a database cluster does). */
  regions?: string[];
  /** The region's database as apps see it; default: the network's database container for the region. */
  database?: (region: string) => DatabaseEndpoint;
  startupTimeoutMs?: number;
}

/** A drill network that knows its database containers (a database cluster): apps default to them. */
export interface DatabaseContainers {
  /** The regions with a database, the primary first. */
  readonly databaseRegions: string[];
  /** Where containers on the drill network reach the region's database directly. */
  databaseEndpoint(region: string): DatabaseEndpoint;
}

export class AppContainer {
  constructor(
    readonly region: string,
    /** Name other containers on the drill network use. */
    readonly alias: string,
    readonly container: StartedTestContainer,
    private readonly spec: Required<Omit<DockerAppSpec, "command">>,
    /** The environment the app was started with, after templating. */
    readonly env: Record<string, string>,
  ) {}

  get id(): string {
    return this.container.getId();
  }

  /** Where the host reaches the app (published on 127.0.0.1). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.container.getMappedPort(this.spec.port)}`;
  }

  get healthUrl(): string {
    return this.baseUrl + this.spec.healthPath;
  }

  writeUrl(id: number | string): string {
    return this.baseUrl + this.spec.writePath.replaceAll("{{id}}", encodeURIComponent(String(id)));
  }
}

export function appAlias(region: string, name = "app"): string {
  return `${name}-${region}`;
}

/**
 * Starts one app container per region (every database region by default), in parallel, and waits
 * until each answers its health path. The network's disposer removes them.
 */
export async function startAppContainers(
  network: DrillNetwork & Partial<DatabaseContainers>,
  options: DockerAppOptions = {},
): Promise<AppContainer[]> {
  const spec = { ...REFERENCE_APP, ...options.app };
  for (const [field, value] of [
    ["healthPath", spec.healthPath],
    ["writePath", spec.writePath],
  ] as const) {
    if (!value.startsWith("/")) throw new DockerPlatformError(`app.${field} must start with /, got ${value}`);
  }
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) {
    throw new DockerPlatformError(`app.port must be a port number, got ${spec.port}`);
  }
  const regions = options.regions ?? network.databaseRegions;
  const database = options.database ?? network.databaseEndpoint?.bind(network);
  if (regions === undefined || database === undefined) {
    throw new DockerPlatformError(
      "app containers need their regions and databases (options.regions, .database)",
    );
  }
  const timeout = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;

  const start = async (region: string): Promise<AppContainer> => {
    const endpoint = database(region);
    // A container listens on all its interfaces.
    const env = appEnvironment(region, { host: "0.0.0.0", port: spec.port }, endpoint, spec.env);
    const values = { ...env };
    const alias = appAlias(region, options.name);
    let container = network
      .container(spec.image, alias)
      .withEnvironment(env)
      .withPullPolicy(PullPolicy.defaultPolicy())
      .withExposedPorts(spec.port)
      // Any status: a standby's app answers 503 and is still up.
      .withWaitStrategy(new LoopbackHttpWaitStrategy(spec.healthPath, spec.port))
      .withStartupTimeout(timeout);
    if (options.app?.command !== undefined) {
      container = container.withCommand(options.app.command.map((arg) => renderTemplate(arg, values)));
    }
    const started = await container.start();
    return new AppContainer(region, alias, started, spec, env);
  };
  return withImageHint(network.runtime, spec.image, async () => {
    // Settled, not Promise.all: no start may still be creating a container when the caller, told of
    // a failure, disposes the network (which removes everything labelled with the drill id).
    const results = await Promise.allSettled(regions.map(start));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    return results.map((r) => (r as PromiseFulfilledResult<AppContainer>).value);
  });
}
