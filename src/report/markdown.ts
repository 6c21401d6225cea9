// report.md: the drill, what was measured beside what was predicted, objectives, data loss, timeline.
import type { Fault } from "../drill/types.ts";
import type { Summary } from "../checkers/types.ts";
import type { WalAtFailover } from "../checkers/types.ts";
import {
  fmtBytes,
  fmtClock,
  fmtMs,
  fmtMsPm,
  fmtNumber,
  fmtValue,
  idsHead,
  objectiveOutcome,
  NA,
} from "./format.ts";

const LOST_IDS_SHOWN = 50;

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

export function describeDrillFault(f: Fault): string {
  const span = f.durationMs === undefined ? "until the workload ends" : `for ${fmtMs(f.durationMs)}`;
  const at = `at ${fmtMs(f.atMs)}`;
  switch (f.type) {
    case "region-outage":
      return `${at}: region outage of ${f.region} (${f.mode}) ${span}`;
    case "partition":
      return `${at}: partition between ${f.between[0]} and ${f.between[1]} ${span}`;
    case "latency":
      return (
        `${at}: latency ${fmtMs(f.latencyMs)} ± ${fmtMs(f.jitterMs)} on ` +
        `${f.target.region ?? "all regions"} ${(f.target.links ?? ["all"]).join("+")} links ` +
        `(${f.direction}${f.toxicity < 1 ? `, toxicity ${f.toxicity}` : ""}) ${span}`
      );
    default: {
      const attrs = Object.entries(f.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
      return (
        `${at}: ${f.type} (${attrs}) on ${f.target.region ?? "all regions"} ` +
        `${(f.target.links ?? ["all"]).join("+")} links (${f.direction}` +
        `${f.toxicity < 1 ? `, toxicity ${f.toxicity}` : ""}) ${span}`
      );
    }
  }
}

function drillSection(s: Summary): string[] {
  const d = s.drill;
  const hc = d.controller.healthCheck;
  return [
    "## What the drill did",
    "",
    `- Regions: ${d.regions.map((r) => `${r.name} (${r.role})`).join(", ")}; ${d.database.engine} ` +
      `${d.database.replication} replication; ${fmtMs(d.network.interRegionLatencyMs)} between regions.`,
    `- Workload: ${d.workload.clients} clients, ${d.workload.ratePerSecond} writes/s in total for ` +
      `${fmtMs(d.workload.durationMs)} (request timeout ${fmtMs(d.workload.requestTimeoutMs)}).`,
    `- Controller: ${d.controller.mode}; health check every ${fmtMs(hc.intervalMs)}, timeout ` +
      `${fmtMs(hc.timeoutMs)}, ${hc.failureThreshold} failures to declare the primary down.`,
    `- DNS: ${d.dns.name}, TTL ${fmtMs(d.dns.ttlMs)}.`,
    `- Faults:${d.faults.length === 0 ? " none" : ""}`,
    ...d.faults.map((f, i) => `  ${i}. ${describeDrillFault(f)}`),
    `- Recovery wait before the final reads: ${fmtMs(d.recovery.waitMs)}.`,
  ];
}

function measuredSection(s: Summary): string[] {
  const m = s.measurements;
  const p = s.predicted;
  const dns = m.dnsSwitch;
  const rto = m.rto;
  const rows: string[][] = [
    [
      "detection (fault -> primary declared down)",
      fmtMs(m.detection.ms),
      fmtMs(m.detection.uncertaintyMs),
      `${fmtMs(p.detectionMs)} (range ${fmtMs(p.detectionRangeMs[0])} – ${fmtMs(p.detectionRangeMs[1])})`,
    ],
    [
      m.promotion.basis === "database-roles"
        ? "promotion (observed from database roles)"
        : "promotion (declared down -> writable)",
      fmtMs(m.promotion.ms),
      fmtMs(m.promotion.uncertaintyMs),
      NA,
    ],
    [
      "DNS authoritative (writable -> new answer)",
      fmtMs(dns.authoritativeMs),
      fmtMs(dns.authoritativeUncertaintyMs),
      NA,
    ],
    ["DNS first client (writable -> resolved)", fmtMs(dns.clientFirstMs), fmtMs(dns.uncertaintyMs), NA],
    [
      "DNS last client (writable -> resolved)",
      fmtMs(dns.clientLastMs),
      fmtMs(dns.uncertaintyMs),
      `≤ ${fmtMs(p.ttlMs)} (TTL)`,
    ],
    [
      "DNS failover (fault -> last client switched)",
      fmtMs(dns.faultToClientLastMs),
      fmtMs(dns.uncertaintyMs + m.detection.uncertaintyMs),
      `${fmtMs(p.dnsFailoverMs)} (detection + TTL, excludes promotion)`,
    ],
    ["RTO p50 (client-observed)", fmtMs(rto.p50Ms), fmtMs(rto.uncertaintyMs), NA],
    ["RTO p99", fmtMs(rto.p99Ms), fmtMs(rto.uncertaintyMs), NA],
    ["RTO max", fmtMs(rto.maxMs), fmtMs(rto.uncertaintyMs), NA],
    ["RTO gap p50 (last ok before -> first ok after)", fmtMs(rto.gapP50Ms), fmtMs(rto.uncertaintyMs), NA],
    ["RTO gap max", fmtMs(rto.gapMaxMs), fmtMs(rto.uncertaintyMs), NA],
    [
      "lost acknowledged writes",
      fmtNumber(m.rpo.lostWrites),
      "exact",
      s.drill.database.replication === "async" ? "> 0 possible (async)" : "0",
    ],
    ["lost window (RPO as time)", fmtMs(m.rpo.lostWindowMs), fmtMs(p.clientOpIntervalMs), NA],
    [
      "throughput (acked writes/s)",
      fmtNumber(m.throughput.ackedPerSecond),
      "",
      `${s.drill.workload.ratePerSecond}`,
    ],
  ];
  const why = [
    ["detection", m.detection.reason],
    ["promotion", m.promotion.reason],
    ["DNS switch", dns.reason],
    ["RTO", rto.reason],
    ["RPO", m.rpo.reason],
  ].flatMap(([name, reason]) => (reason === undefined ? [] : [`- ${name} n/a: ${reason}`]));
  return [
    "## Measured vs predicted",
    "",
    table(["measurement", "measured", "±", "predicted"], rows),
    "",
    "Durations are on the runner's monotonic clock. t_fault is the injection of the primary-region outage " +
      "(± the time the injection took). RTO is measured per client from t_fault to the first write " +
      "acknowledged among those invoked after the fault took effect. The predicted DNS failover is " +
      "detection + TTL and excludes promotion, which the architecture does not predict.",
    ...(why.length > 0 ? ["", ...why] : []),
  ];
}

function objectivesSection(s: Summary): string[] {
  if (s.objectives.length === 0) return ["## Objectives", "", "The drill defines no objectives."];
  const rows = s.objectives.map((o) => [
    o.name,
    o.limit,
    fmtValue(o.measured, o.unit),
    objectiveOutcome(o) + (o.reason === undefined ? "" : ` (${o.reason})`),
  ]);
  return ["## Objectives", "", table(["objective", "limit", "measured", "result"], rows)];
}

function rpoSection(s: Summary): string[] {
  const r = s.measurements.rpo;
  const byRegion = Object.entries(r.lostByRegion).map(([region, n]) => `${region}: ${n}`);
  const lines = [
    "## Data loss (RPO)",
    "",
    `- Surviving primary: ${r.survivingPrimary ?? NA}${r.survivingPrimaryRole === null ? "" : ` (read as ${r.survivingPrimaryRole})`}`,
    `- Acknowledged writes: ${r.ackedWrites}`,
    `- Lost acknowledged writes: ${fmtNumber(r.lostWrites)}${r.reason === undefined ? "" : ` (${r.reason})`}`,
    `- Lost window: ${fmtMs(r.lostWindowMs)}`,
    `- WAL distance at failover: ${describeWalAtFailover(s.measurements.replication.atFailover)}`,
    `- Lost by acknowledging region: ${byRegion.length === 0 ? "none" : byRegion.join(", ")}`,
    `- Lost writes still present on other nodes (diverged): ${r.divergedWrites}` +
      (r.divergedWrites > 0
        ? ` (${Object.entries(r.divergedOn)
            .map(([n, c]) => `${n}: ${c}`)
            .join(", ")})`
        : ""),
    `- Indeterminate writes (outcome unknown to the client, never counted as lost): ${r.indeterminateWrites}, ` +
      `of which recovered (present): ${fmtNumber(r.recoveredWrites)}`,
    `- Unexpected writes (present, never attempted): ${fmtNumber(r.unexpectedWrites)}`,
    `- Failed writes that are present: ${fmtNumber(r.failedButPresent)}`,
  ];
  if ((r.failedButPresent ?? 0) > 0) {
    lines.push(
      "",
      `> **Correctness bug:** ${r.failedButPresent} write(s) were reported to clients as failed but are ` +
        `present on the surviving primary: ${idsHead(r.failedButPresentIds, r.failedButPresent ?? 0, LOST_IDS_SHOWN)}.`,
    );
  }
  if ((r.lostWrites ?? 0) > 0) {
    lines.push("", `Lost ids: ${idsHead(r.lostIds, r.lostWrites ?? 0, LOST_IDS_SHOWN)}`);
  }
  if ((r.unexpectedWrites ?? 0) > 0) {
    lines.push("", `Unexpected ids: ${idsHead(r.unexpectedIds, r.unexpectedWrites ?? 0, LOST_IDS_SHOWN)}`);
  }
  return lines;
}

function splitBrainSection(s: Summary): string[] {
  const b = s.measurements.splitBrain;
  if (!b.detected)
    return ["## Split brain", "", "Not detected: no region acknowledged writes after being superseded."];
  return [
    "## Split brain",
    "",
    `**Detected:** ${b.writes} write(s) acknowledged by a superseded primary; regions ${b.regions.join(", ")}; ` +
      `overlap ${fmtMs(b.overlapMs)} (from ${fmtMs(b.overlapFromMs)} to ${fmtMs(b.overlapToMs)}).`,
    "",
    `Ids: ${idsHead(b.ids, b.writes, LOST_IDS_SHOWN)}`,
  ];
}

function clientsSection(s: Summary): string[] {
  const rto = s.measurements.rto.perClient;
  const dns = new Map(s.measurements.dnsSwitch.perClient.map((c) => [c.client, c.switchMs]));
  if (rto.length === 0 && dns.size === 0) return [];
  const clients = [...new Set([...rto.map((c) => c.client), ...dns.keys()])].sort((a, b) => a - b);
  const rows = clients.map((client) => {
    const r = rto.find((c) => c.client === client);
    return [String(client), fmtMs(r?.rtoMs), fmtMs(r?.gapMs), fmtMs(dns.get(client))];
  });
  return ["## Clients", "", table(["client", "RTO", "gap", "DNS switch after writable"], rows)];
}

function throughputSection(s: Summary): string[] {
  const t = s.measurements.throughput;
  const lines = [
    "## Workload",
    "",
    `${t.attempted} writes attempted over ${fmtMs(t.windowMs)}: ${t.ok} ok, ${t.fail} failed, ${t.info} ` +
      `indeterminate, ${t.pending} never completed; ${fmtNumber(t.ackedPerSecond)} acknowledged writes/s.`,
  ];
  if (t.phases.length > 0) {
    lines.push(
      "",
      table(
        ["phase", "from", "to", "ok", "fail", "info", "acked/s"],
        t.phases.map((p) => [
          p.phase,
          fmtMs(p.fromMs),
          fmtMs(p.toMs),
          String(p.ok),
          String(p.fail),
          String(p.info),
          fmtNumber(p.ackedPerSecond),
        ]),
      ),
    );
  }
  return lines;
}

/** "west was 4096 B (replay) behind east, replay lag 12 ms, streaming, sampled 200 ms before the fault". */
export function describeWalAtFailover(w: WalAtFailover | null): string {
  if (w === null) return NA;
  const who = w.promoted ? w.standby : `${w.standby} (closest standby; none was promoted)`;
  const distance = w.lagBytes === null ? "an unknown distance" : `${fmtBytes(w.lagBytes)} (${w.basis})`;
  return (
    `${who} was ${distance} behind ${w.primary}, replay lag ${fmtMs(w.lagMs)}, ${w.state}, ` +
    `sampled ${fmtMs(w.sampledMsBeforeFault)} before the fault`
  );
}

function latencySection(s: Summary): string[] {
  const w = s.measurements.writeLatency;
  const ends = {
    writable: "a region became writable",
    heal: "the fault was healed",
    "workload-end": "the workload ended",
  };
  const row = (phase: string, fromMs: string, toMs: string, l: typeof w.overall): string[] => [
    phase,
    fromMs,
    toMs,
    String(l.count),
    fmtMs(l.p50Ms),
    fmtMs(l.p99Ms),
    fmtMs(l.maxMs),
  ];
  return [
    "## Write latency by phase",
    "",
    table(
      ["phase", "from", "to", "acked writes", "p50", "p99", "max"],
      [
        ...w.phases.map((p) => row(p.phase, fmtClock(p.fromMs), fmtClock(p.toMs), p)),
        row("overall", "", "", w.overall),
      ],
    ),
    "",
    "Acknowledged writes, ack − invoke, by the phase each write was invoked in" +
      (w.duringEndsAt === null ? "." : `; the during phase ends when ${ends[w.duringEndsAt]}.`) +
      (w.reason === undefined ? "" : ` ${w.reason}.`),
  ];
}

function replicationSection(s: Summary): string[] {
  const r = s.measurements.replication;
  if (r.samples === 0) return ["## Replication", "", `Not sampled: ${r.reason ?? "no samples"}.`];
  const lines = [
    "## Replication",
    "",
    `- WAL distance at failover: ${describeWalAtFailover(r.atFailover)}`,
    `- Lost acknowledged writes: ${fmtNumber(s.measurements.rpo.lostWrites)}`,
    "",
  ];
  if (r.perStandby.length === 0) {
    lines.push("No standby was connected to a primary in any sample.");
  } else {
    lines.push(
      table(
        [
          "primary",
          "standby",
          "samples",
          "streaming",
          "sync state",
          "replay lag p50",
          "max",
          "replay bytes p50",
          "max",
        ],
        r.perStandby.map((l) => [
          l.primary,
          l.standby,
          String(l.samples),
          String(l.streamingSamples),
          l.syncStates.join(", ") || NA,
          fmtMs(l.replayLagMsP50),
          fmtMs(l.replayLagMsMax),
          fmtBytes(l.replayLagBytesP50),
          fmtBytes(l.replayLagBytesMax),
        ]),
      ),
    );
  }
  lines.push(
    "",
    `Sampled every ${fmtMs(r.sampleMs)} directly on each database, ${r.samples} sample(s): lags as ` +
      "pg_stat_replication reports them, distances as pg_wal_lsn_diff from the primary's current WAL position.",
  );
  return lines;
}

export function renderMarkdown(s: Summary): string {
  const d = s.drill;
  const m = s.measurements;
  const sections: string[][] = [
    [
      `# Drill report: ${d.name}`,
      "",
      `**Status: ${s.status.toUpperCase()}** · started ${s.startedAt} · ran ${fmtMs(s.durationMs)}`,
      "",
      ...(d.description.trim() === "" ? [] : [`> ${d.description.trim().replace(/\n/g, "\n> ")}`, ""]),
      `Detection ${fmtMsPm(m.detection.ms, m.detection.uncertaintyMs)}, promotion ${fmtMs(m.promotion.ms)}, ` +
        `last client on the new address ${fmtMs(m.dnsSwitch.clientLastMs)} after writable, ` +
        `RTO max ${fmtMsPm(m.rto.maxMs, m.rto.uncertaintyMs)}, ` +
        `${fmtNumber(m.rpo.lostWrites)} of ${m.rpo.ackedWrites} acknowledged writes lost.`,
    ],
    drillSection(s),
    measuredSection(s),
    objectivesSection(s),
    rpoSection(s),
    splitBrainSection(s),
    throughputSection(s),
    latencySection(s),
    replicationSection(s),
    clientsSection(s),
    [
      "## Timeline",
      "",
      table(
        ["t", "event"],
        s.timeline.map((e) => [fmtClock(e.tMs), e.event]),
      ),
    ],
    [
      "## Final state of the nodes",
      "",
      table(
        ["node", "reachable", "role", "writes", "WAL LSN", "WAL vs survivor", "error"],
        s.nodes.map((n) => [
          n.node,
          n.reachable ? "yes" : "no",
          n.role,
          String(n.count),
          n.walLsn ?? NA,
          n.walBytesFromSurvivor === undefined ? NA : `${n.walBytesFromSurvivor} bytes`,
          n.error ?? "",
        ]),
      ),
    ],
    ["## Notes", "", ...(s.notes.length === 0 ? ["None."] : s.notes.map((n) => `- ${n}`))],
  ];
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n")
    .concat("\n");
}
