// Containers and networks carrying a run's labels, found and removed through the docker CLI (as the
// exit hook in src/platform/docker.ts does): no client library to load, DOCKER_HOST and contexts
// respected, and a missing docker simply means there is nothing of ours there.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { RUN_LABELS } from "./marker.ts";

export interface LabelledResource {
  kind: "container" | "network";
  id: string;
  name: string;
  labels: Record<string, string>;
  /** A container's state (running, paused, exited...); "-" for a network. */
  state?: string;
}

/** Why docker was not asked or did not answer; undefined when it answered. */
export type DockerAnswer = { ok: true; resources: LabelledResource[] } | { ok: false; why: string };

const LABEL_KEYS = Object.values(RUN_LABELS);
const LABEL_COLUMNS = LABEL_KEYS.map((k) => `{{.Label ${JSON.stringify(k)}}}`);
const FORMAT = ["{{.ID}}", "{{.Names}}", "{{.State}}", ...LABEL_COLUMNS].join("\t");
const NETWORK_FORMAT = ["{{.ID}}", "{{.Name}}", "-", ...LABEL_COLUMNS].join("\t");

function docker(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("docker", args, { timeout: timeoutMs, encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr: stderr || (err?.message ?? "") });
    });
  });
}

/** Whether a docker engine could be there at all, without spawning anything. */
export function dockerConfigured(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync("/var/run/docker.sock");
}

export function parseRows(kind: LabelledResource["kind"], text: string): LabelledResource[] {
  const rows: LabelledResource[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const [id, name, state, ...values] = line.split("\t");
    const labels: Record<string, string> = {};
    LABEL_KEYS.forEach((key, i) => {
      const value = values[i];
      if (value !== undefined && value !== "" && value !== "<no value>") labels[key] = value;
    });
    rows.push({
      kind,
      id: id ?? "",
      name: name ?? "",
      labels,
      ...(kind === "container" ? { state: state ?? "" } : {}),
    });
  }
  return rows;
}

/** Every container and network with the run label (of `run`, or of any run). */
export async function labelledResources(run?: string, timeoutMs = 10_000): Promise<DockerAnswer> {
  if (!dockerConfigured()) return { ok: false, why: "no docker engine configured" };
  const filter = `label=${RUN_LABELS.run}${run === undefined ? "" : `=${run}`}`;
  const [containers, networks] = await Promise.all([
    docker(["ps", "-a", "--no-trunc", "--filter", filter, "--format", FORMAT], timeoutMs),
    docker(["network", "ls", "--no-trunc", "--filter", filter, "--format", NETWORK_FORMAT], timeoutMs),
  ]);
  for (const r of [containers, networks]) {
    if (r.code !== 0) return { ok: false, why: `docker did not answer: ${r.stderr.trim().split("\n")[0]}` };
  }
  return {
    ok: true,
    resources: [...parseRows("container", containers.stdout), ...parseRows("network", networks.stdout)],
  };
}

/** Removes containers (thawed first, with their volumes), then networks; returns what failed. */
export async function removeResources(
  resources: readonly LabelledResource[],
  timeoutMs = 30_000,
): Promise<string[]> {
  const problems: string[] = [];
  const containers = resources.filter((r) => r.kind === "container").map((r) => r.id);
  const paused = resources.filter((r) => r.kind === "container" && r.state === "paused").map((r) => r.id);
  const networks = resources.filter((r) => r.kind === "network").map((r) => r.id);
  if (containers.length > 0) {
    // A paused container cannot be removed until it is thawed (even with -f on some engines).
    if (paused.length > 0) await docker(["unpause", ...paused], timeoutMs);
    const rm = await docker(["rm", "-f", "-v", ...containers], timeoutMs);
    if (rm.code !== 0) problems.push(`docker rm: ${rm.stderr.trim()}`);
  }
  if (networks.length > 0) {
    const rm = await docker(["network", "rm", ...networks], timeoutMs);
    if (rm.code !== 0) problems.push(`docker network rm: ${rm.stderr.trim()}`);
  }
  return problems;
}
