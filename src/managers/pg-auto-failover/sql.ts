// One query on a fresh connection, bounded in time even against a frozen or cut-off server: the
// monitor's tables, the nodes' SQL.
import pg from "pg";
import type { Address } from "../../engines/types.ts";

const CONNECT_TIMEOUT_MS = 2000;

export async function queryOnce<T extends pg.QueryResultRow>(
  address: Address,
  database: string,
  sql: string,
  params: unknown[] = [],
  timeoutMs = 10_000,
): Promise<T[]> {
  const client = new pg.Client({
    host: address.host,
    port: address.port,
    user: "postgres",
    database,
    connectionTimeoutMillis: Math.min(CONNECT_TIMEOUT_MS, timeoutMs),
    query_timeout: timeoutMs,
    application_name: "failover-drill",
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await closeClient(client);
  }
}

/** end() waits for the server's goodbye, which never comes from a frozen server: cap it, then cut. */
export async function closeClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => {}),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 1000);
    }),
  ]);
  clearTimeout(timer);
  client.connection.stream.destroy();
}
