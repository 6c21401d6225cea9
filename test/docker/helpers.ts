// Shared by the docker tests (not a test file: importing it runs no suite).
import { execFileSync } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import type { PostgresContainer } from "../../src/engines/postgres/containers.ts";
import { DRILL_LABEL } from "../../src/platform/docker.ts";

export function report(what: string, ms: number): void {
  console.log(`      timing: ${what}: ${ms.toFixed(0)} ms`);
}

export function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8" }).trim();
}

/** Container and network ids docker still has for a drill ("" when it has none). */
export function leftovers(drillId: string): string {
  const filter = `label=${DRILL_LABEL}=${drillId}`;
  return docker("ps", "-aq", "--filter", filter) + docker("network", "ls", "-q", "--filter", filter);
}

/** Polls `probe` every 100 ms until `ok` accepts its value; a throwing probe counts as not yet. */
export async function eventually<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await probe();
      if (ok(last as T)) return last as T;
    } catch (error) {
      last = error;
    }
    if (performance.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms (last: ${String(last)})`);
    await delay(100);
  }
}

export async function query(
  node: PostgresContainer,
  sql: string,
  params: unknown[] = [],
): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: await node.hostUrl(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export async function post(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: "POST", signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function statusOf(url: string): Promise<number> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

export const WRITES_TABLE = "CREATE TABLE writes (id bigint PRIMARY KEY, region text NOT NULL)";
