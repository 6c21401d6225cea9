// The URL a PostgreSQL client connects with: user postgres, trust authentication (drills run on
// loopback and a private docker network, and every client is ours).
import type { Address } from "../types.ts";

export function postgresUrl(address: Address, database = "postgres"): string {
  return `postgres://postgres@${address.host}:${address.port}/${database}`;
}
