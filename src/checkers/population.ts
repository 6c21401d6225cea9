// The client population as the workload recorded it (the `population` event): each client's resolver
// and connection profile, and the seed that repeats it. Histories from before populations existed
// have no such event: every client is then the original kind (own TTL cache, one keep-alive
// connection), which is what they were.
import { Events } from "../history/types.ts";
import { eventsOf, valueOf, type HistoryIndex } from "./history.ts";
import type { PopulationSummary } from "./types.ts";

export interface ClientKind {
  resolver: string;
  connections: string;
  site: string;
}

export interface RecordedPopulation {
  seed: number | null;
  byClient: Map<number, ClientKind>;
}

const ORIGINAL: ClientKind = { resolver: "ttl", connections: "keep-alive", site: "clients" };

export function recordedPopulation(index: HistoryIndex): RecordedPopulation {
  const event = eventsOf(index, Events.population).at(0);
  const byClient = new Map<number, ClientKind>();
  if (event === undefined) {
    for (const client of index.clients) byClient.set(client, ORIGINAL);
    return { seed: null, byClient };
  }
  const v = valueOf(event);
  const columns = Array.isArray(v.columns) ? (v.columns as unknown[]) : [];
  const at = (name: string): number => columns.indexOf(name);
  const rows = Array.isArray(v.clients) ? (v.clients as unknown[]) : [];
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    const client = row[at("client")];
    if (typeof client !== "number") continue;
    byClient.set(client, {
      resolver: String(row[at("resolver")] ?? ORIGINAL.resolver),
      connections: String(row[at("connections")] ?? ORIGINAL.connections),
      site: String(row[at("site")] ?? ORIGINAL.site),
    });
  }
  for (const client of index.clients) if (!byClient.has(client)) byClient.set(client, ORIGINAL);
  return { seed: typeof v.seed === "number" ? v.seed : null, byClient };
}

export function kindOf(population: RecordedPopulation, client: number): ClientKind {
  return population.byClient.get(client) ?? ORIGINAL;
}

/** The seed and how many clients had each profile, for the report. */
export function summarisePopulation(index: HistoryIndex): PopulationSummary {
  const population = recordedPopulation(index);
  const count = (key: "resolver" | "connections"): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const kind of population.byClient.values()) counts[kind[key]] = (counts[kind[key]] ?? 0) + 1;
    return counts;
  };
  return {
    seed: population.seed,
    clients: population.byClient.size,
    resolver: count("resolver"),
    connections: count("connections"),
  };
}
