// The client recovery section: who the clients were (profiles, seed), the RTO distribution against
// the range the drill's parameters predict, per profile, and the clients outside their range. Plain
// content for both report.md and report.html (which adds a histogram).
import type { Summary } from "../summary/types.ts";
import { fmtMs, NA } from "./format.ts";
import type { Cell, Table } from "./sections.ts";

const num = (text: string): Cell => ({ text, style: "num" });
const range = (r: [number, number] | null): string => (r === null ? NA : `${fmtMs(r[0])} – ${fmtMs(r[1])}`);
const counts = (c: Record<string, number>): string =>
  Object.entries(c)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");

export interface RtoContent {
  /** Who the clients were and what the distribution says, in sentences. */
  summary: string[];
  byProfile: Table | null;
  /** One line per client outside its range (capped, with the total said). */
  outside: string[];
}

export function rtoContent(s: Summary): RtoContent {
  const { rto } = s.measurements;
  const pop = s.population;
  const seed = pop.seed === null ? "no seed recorded" : `seed ${pop.seed}`;
  const lines = [
    `${pop.clients} client(s) (${seed}); resolver: ${counts(pop.resolver)}; connections: ${counts(pop.connections)}.`,
    `RTO p50 ${fmtMs(rto.p50Ms)}, p90 ${fmtMs(rto.p90Ms)}, p99 ${fmtMs(rto.p99Ms)}, max ${fmtMs(rto.maxMs)}` +
      ` (± ${fmtMs(rto.uncertaintyMs)}); predicted ${range(rto.predictedRangeMs)}.` +
      (rto.clientsNotRecovered > 0 ? ` ${rto.clientsNotRecovered} client(s) never recovered.` : ""),
    rto.predictedRangeMs === null
      ? "No range is predicted: nothing was promoted, or the failover was not the drill's own to predict."
      : `${rto.clientsOutside} client(s) outside their profile's predicted range.`,
  ];
  const byProfile: Table | null =
    rto.byProfile.length === 0
      ? null
      : {
          header: ["resolver", "connections", "clients", "recovered", "RTO p50", "max", "predicted range"],
          rows: rto.byProfile.map((p) => [
            p.resolver,
            p.connections,
            num(String(p.clients)),
            num(String(p.recovered)),
            num(fmtMs(p.p50Ms)),
            num(fmtMs(p.maxMs)),
            range(p.predictedRangeMs),
          ]),
        };
  const outside = rto.outside.map((o) => `client ${o.client}: ${o.reason}`);
  if (rto.clientsOutside > rto.outside.length)
    outside.push(`… and ${rto.clientsOutside - rto.outside.length} more`);
  return { summary: lines, byProfile, outside };
}
