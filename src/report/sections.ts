// The report's content, section by section, as plain strings and table cells: what report.md and
// report.html both say. Each renderer adds only its own markup and escaping.
import type { Fault } from "../drill/types.ts";
import { describePgAutoFailover } from "../drill/format/pg-auto-failover-text.ts";
import type { FaultWording } from "../faults/kind.ts";
import { faultKind } from "../faults/registry.ts";
import type { LatencyStats, Summary, WalAtFailover } from "../checkers/types.ts";
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

const IDS_SHOWN = 50;

/** Section titles by the id the HTML page anchors them at. */
export const TITLES = {
  charts: "Charts",
  drill: "What the drill did",
  measured: "Measured vs predicted",
  objectives: "Objectives",
  rpo: "Data loss (RPO)",
  "split-brain": "Split brain",
  rto: "Client recovery (RTO)",
  workload: "Workload",
  latency: "Write latency by phase",
  replication: "Replication",
  conflicts: "Conflicts (active-active)",
  residency: "Data residency",
  clients: "Clients",
  timeline: "Timeline",
  nodes: "Final state of the nodes",
  notes: "Notes",
} as const;

/**
 * A table cell: plain text, text with a style the HTML page shows (right-aligned figure, code, a bad
 * value), or an objective's outcome. Markdown shows the text alone.
 */
export type Cell =
  | string
  | { text: string; style: "num" | "code" | "bad" }
  | { outcome: "met" | "missed" | "inconclusive"; reason: string | undefined };

export interface Table {
  header: readonly string[];
  rows: Cell[][];
}

const num = (text: string): Cell => ({ text, style: "num" });
const code = (text: string): Cell => ({ text, style: "code" });

/** Text with a part to emphasise (bold in HTML; Markdown keeps it plain). */
export type Line = string | readonly (string | { strong: string })[];

export function headline(s: Summary): string {
  const m = s.measurements;
  return (
    `Detection ${fmtMsPm(m.detection.ms, m.detection.uncertaintyMs)}, promotion ${fmtMs(m.promotion.ms)}, ` +
    `last client on the new address ${fmtMs(m.dnsSwitch.clientLastMs)} after writable, ` +
    `RTO max ${fmtMsPm(m.rto.maxMs, m.rto.uncertaintyMs)}, ` +
    `${fmtNumber(m.rpo.lostWrites)} of ${m.rpo.ackedWrites} acknowledged writes lost.`
  );
}

/** How the report words a fault: its own number format, type names in words. */
const REPORT_WORDING: FaultWording = {
  duration: fmtMs,
  name: (type) => type.replaceAll("-", " "),
  plusMinus: (value, spread) => `${value} ± ${spread}`,
};

/** "at 5 s: region outage of east (kill) for 6 s": the fault's one description, with its timing. */
function describeDrillFault(f: Fault): string {
  const span = f.durationMs === undefined ? "until the workload ends" : `for ${fmtMs(f.durationMs)}`;
  return `at ${fmtMs(f.atMs)}: ${faultKind(f.type).describe(f, REPORT_WORDING)} ${span}`;
}

/** "west was 4096 B (replay) behind east, replay lag 12 ms, streaming, sampled 200 ms before the fault". */
function describeWalAtFailover(w: WalAtFailover | null): string {
  if (w === null) return NA;
  const who = w.promoted ? w.standby : `${w.standby} (closest standby; none was promoted)`;
  const distance = w.lagBytes === null ? "an unknown distance" : `${fmtBytes(w.lagBytes)} (${w.basis})`;
  return (
    `${who} was ${distance} behind ${w.primary}, replay lag ${fmtMs(w.lagMs)}, ${w.state}, ` +
    `sampled ${fmtMs(w.sampledMsBeforeFault)} before the fault`
  );
}

/** The failover manager's line when Patroni fails over (its timers and routing, not a health check). */
function patroniSetup(d: Summary["drill"]): string {
  const p = d.controller.patroni;
  const h = d.controller.haproxy;
  const timers =
    p === undefined
      ? ""
      : ` (ttl ${fmtMs(p.ttlMs)}, loop_wait ${fmtMs(p.loopWaitMs)}, retry_timeout ${fmtMs(p.retryTimeoutMs)}, DCS ${p.dcs})`;
  const routing =
    d.controller.routing === "haproxy" && h !== undefined
      ? `an HAProxy per region (inter ${fmtMs(h.interMs)}, fall ${h.fall}, rise ${h.rise})`
      : "libpq multi-host URLs (target_session_attrs=read-write)";
  return `Failover manager: Patroni${timers}; apps reach the primary through ${routing}.`;
}

/** The drill's setup as list items; the faults are a numbered list (from 0) under `faults`. */
export function drillContent(s: Summary): {
  setup: string[];
  faults: { label: string; items: string[] };
  recovery: string;
} {
  const d = s.drill;
  const hc = d.controller.healthCheck;
  return {
    setup: [
      `Regions: ${d.regions.map((r) => `${r.name} (${r.role})`).join(", ")}; ${d.database.engine} ` +
        `${d.database.replication} replication; ${fmtMs(d.network.interRegionLatencyMs)} between regions.`,
      `Workload: ${d.workload.clients} clients, ${d.workload.ratePerSecond} writes/s in total for ` +
        `${fmtMs(d.workload.durationMs)} (request timeout ${fmtMs(d.workload.requestTimeoutMs)}).`,
      d.controller.manager === "patroni"
        ? patroniSetup(d)
        : d.controller.manager === "hooks"
          ? `Controller: hooks manager; status polled every ${fmtMs(hc.intervalMs)}, timeout ` +
            `${fmtMs(hc.timeoutMs)}, ${hc.failureThreshold} polls without the primary to declare it down.`
          : d.controller.pgAutoFailover !== undefined
            ? `Failover manager: ${describePgAutoFailover(d.controller.pgAutoFailover)}.`
            : `Controller: ${d.controller.mode}; health check every ${fmtMs(hc.intervalMs)}, timeout ` +
              `${fmtMs(hc.timeoutMs)}, ${hc.failureThreshold} failures to declare the primary down.`,
      `DNS: ${d.dns.name}, TTL ${fmtMs(d.dns.ttlMs)}.`,
    ],
    faults: {
      label: `Faults:${d.faults.length === 0 ? " none" : ""}`,
      items: d.faults.map(describeDrillFault),
    },
    recovery: `Recovery wait before the final reads: ${fmtMs(d.recovery.waitMs)}.`,
  };
}

export const MEASURED_HEADER = ["measurement", "measured", "±", "predicted"] as const;

export const MEASURED_EXPLANATION =
  "Durations are on the runner's monotonic clock. t_fault is the injection of the primary-region outage " +
  "(± the time the injection took). RTO is measured per client from t_fault to the first write " +
  "acknowledged among those invoked after the fault took effect. The predicted DNS failover is " +
  "detection + TTL and excludes promotion, which the architecture does not predict.";

export interface MeasuredRow {
  label: string;
  measured: string;
  uncertainty: string;
  predicted: string;
}

/** Measured beside predicted; `arrow` joins the two events a duration spans ("->" or "→"). */
export function measuredRows(s: Summary, arrow: string): MeasuredRow[] {
  const m = s.measurements;
  const p = s.predicted;
  const dns = m.dnsSwitch;
  const rto = m.rto;
  const row = (label: string, measured: string, uncertainty: string, predicted: string): MeasuredRow => ({
    label,
    measured,
    uncertainty,
    predicted,
  });
  return [
    row(
      `detection (fault ${arrow} primary declared down)`,
      fmtMs(m.detection.ms),
      fmtMs(m.detection.uncertaintyMs),
      `${fmtMs(p.detectionMs)} (range ${fmtMs(p.detectionRangeMs[0])} – ${fmtMs(p.detectionRangeMs[1])})`,
    ),
    row(
      m.promotion.basis === "database-roles"
        ? "promotion (observed from database roles)"
        : `promotion (declared down ${arrow} writable)`,
      fmtMs(m.promotion.ms),
      fmtMs(m.promotion.uncertaintyMs),
      p.writableRangeMs === undefined
        ? NA
        : `writable ${fmtMs(p.writableRangeMs[0])} – ${fmtMs(p.writableRangeMs[1])} after the fault`,
    ),
    row(
      `DNS authoritative (writable ${arrow} new answer)`,
      fmtMs(dns.authoritativeMs),
      fmtMs(dns.authoritativeUncertaintyMs),
      NA,
    ),
    row(
      `DNS first client (writable ${arrow} resolved)`,
      fmtMs(dns.clientFirstMs),
      fmtMs(dns.uncertaintyMs),
      NA,
    ),
    row(
      `DNS last client (writable ${arrow} resolved)`,
      fmtMs(dns.clientLastMs),
      fmtMs(dns.uncertaintyMs),
      `≤ ${fmtMs(p.ttlMs)} (TTL)`,
    ),
    row(
      `DNS failover (fault ${arrow} last client switched)`,
      fmtMs(dns.faultToClientLastMs),
      fmtMs(dns.uncertaintyMs + m.detection.uncertaintyMs),
      `${fmtMs(p.dnsFailoverMs)} (detection + TTL, excludes promotion)`,
    ),
    row(
      "RTO p50 (client-observed)",
      fmtMs(rto.p50Ms),
      fmtMs(rto.uncertaintyMs),
      rto.predictedRangeMs === null ? NA : `≥ ${fmtMs(rto.predictedRangeMs[0])}`,
    ),
    row("RTO p90", fmtMs(rto.p90Ms), fmtMs(rto.uncertaintyMs), NA),
    row("RTO p99", fmtMs(rto.p99Ms), fmtMs(rto.uncertaintyMs), NA),
    row(
      "RTO max",
      fmtMs(rto.maxMs),
      fmtMs(rto.uncertaintyMs),
      rto.predictedRangeMs === null ? NA : `≤ ${fmtMs(rto.predictedRangeMs[1])} (by profile below)`,
    ),
    row(
      `RTO gap p50 (last ok before ${arrow} first ok after)`,
      fmtMs(rto.gapP50Ms),
      fmtMs(rto.uncertaintyMs),
      NA,
    ),
    row("RTO gap max", fmtMs(rto.gapMaxMs), fmtMs(rto.uncertaintyMs), NA),
    row(
      "lost acknowledged writes",
      fmtNumber(m.rpo.lostWrites),
      "exact",
      s.drill.database.replication === "async" ? "> 0 possible (async)" : "0",
    ),
    row("lost window (RPO as time)", fmtMs(m.rpo.lostWindowMs), fmtMs(p.clientOpIntervalMs), NA),
    row(
      "throughput (acked writes/s)",
      fmtNumber(m.throughput.ackedPerSecond),
      "",
      `${s.drill.workload.ratePerSecond}`,
    ),
  ];
}

/** Why each measurement that is n/a is n/a: "RTO n/a: no client recovered". */
export function notApplicableReasons(s: Summary): string[] {
  const m = s.measurements;
  return [
    ["detection", m.detection.reason],
    ["promotion", m.promotion.reason],
    ["DNS switch", m.dnsSwitch.reason],
    ["RTO", m.rto.reason],
    ["RPO", m.rpo.reason],
  ].flatMap(([name, reason]) => (reason === undefined ? [] : [`${name} n/a: ${reason}`]));
}

export const NO_OBJECTIVES = "The drill defines no objectives.";

/** null when the drill defines no objectives. */
export function objectivesTable(s: Summary): Table | null {
  if (s.objectives.length === 0) return null;
  return {
    header: ["objective", "limit", "measured", "result"],
    rows: s.objectives.map((o) => [
      code(o.name),
      code(o.limit),
      num(fmtValue(o.measured, o.unit)),
      { outcome: objectiveOutcome(o), reason: o.reason },
    ]),
  };
}

/** An id list with its label: "Lost ids" and "3, 4". */
export interface IdList {
  label: string;
  ids: string;
}

export function rpoContent(s: Summary): {
  items: Line[];
  /** What a failed write present on the survivor means, when there is one. */
  correctnessBug: string | null;
  idLists: IdList[];
} {
  const r = s.measurements.rpo;
  const byRegion = Object.entries(r.lostByRegion).map(([region, n]) => `${region}: ${n}`);
  const items: Line[] = [
    `Surviving primary: ${r.survivingPrimary ?? NA}` +
      (r.survivingPrimaryRole === null ? "" : ` (read as ${r.survivingPrimaryRole})`),
    `Acknowledged writes: ${r.ackedWrites}`,
    [
      "Lost acknowledged writes: ",
      { strong: fmtNumber(r.lostWrites) },
      r.reason === undefined ? "" : ` (${r.reason})`,
    ],
    `Lost window: ${fmtMs(r.lostWindowMs)}`,
    `WAL distance at failover: ${describeWalAtFailover(s.measurements.replication.atFailover)}`,
    `Lost by acknowledging region: ${byRegion.length === 0 ? "none" : byRegion.join(", ")}`,
    `Lost writes still present on other nodes (diverged): ${r.divergedWrites}` +
      (r.divergedWrites > 0
        ? ` (${Object.entries(r.divergedOn)
            .map(([n, c]) => `${n}: ${c}`)
            .join(", ")})`
        : ""),
    `Indeterminate writes (outcome unknown to the client, never counted as lost): ${r.indeterminateWrites}, ` +
      `of which recovered (present): ${fmtNumber(r.recoveredWrites)}`,
    `Unexpected writes (present, never attempted): ${fmtNumber(r.unexpectedWrites)}`,
    `Failed writes that are present: ${fmtNumber(r.failedButPresent)}`,
  ];
  const failedButPresent = r.failedButPresent ?? 0;
  const idLists: IdList[] = [];
  if ((r.lostWrites ?? 0) > 0)
    idLists.push({ label: "Lost ids", ids: idsHead(r.lostIds, r.lostWrites ?? 0, IDS_SHOWN) });
  if ((r.unexpectedWrites ?? 0) > 0)
    idLists.push({
      label: "Unexpected ids",
      ids: idsHead(r.unexpectedIds, r.unexpectedWrites ?? 0, IDS_SHOWN),
    });
  return {
    items,
    correctnessBug:
      failedButPresent > 0
        ? `${r.failedButPresent} write(s) were reported to clients as failed but are present on the surviving ` +
          `primary: ${idsHead(r.failedButPresentIds, failedButPresent, IDS_SHOWN)}.`
        : null,
    idLists,
  };
}

/** Split brain: the finding, and with a detection the ids it concerns. */
export function splitBrainContent(
  s: Summary,
): { detected: false; text: string } | { detected: true; text: string; ids: IdList } {
  const b = s.measurements.splitBrain;
  if (!b.detected)
    return { detected: false, text: "Not detected: no region acknowledged writes after being superseded." };
  return {
    detected: true,
    text:
      `${b.writes} write(s) acknowledged by a superseded primary; regions ${b.regions.join(", ")}; ` +
      `overlap ${fmtMs(b.overlapMs)} (from ${fmtMs(b.overlapFromMs)} to ${fmtMs(b.overlapToMs)}).`,
    ids: { label: "Ids", ids: idsHead(b.ids, b.writes, IDS_SHOWN) },
  };
}

/** The workload's totals, and its phases as a table when it has any. */
export function workloadContent(s: Summary): { text: string; phases: Table | null } {
  const t = s.measurements.throughput;
  return {
    text:
      `${t.attempted} writes attempted over ${fmtMs(t.windowMs)}: ${t.ok} ok, ${t.fail} failed, ${t.info} ` +
      `indeterminate, ${t.pending} never completed; ${fmtNumber(t.ackedPerSecond)} acknowledged writes/s.`,
    phases:
      t.phases.length === 0
        ? null
        : {
            header: ["phase", "from", "to", "ok", "fail", "info", "acked/s"],
            rows: t.phases.map((ph) => [
              ph.phase,
              num(fmtMs(ph.fromMs)),
              num(fmtMs(ph.toMs)),
              num(String(ph.ok)),
              num(String(ph.fail)),
              num(String(ph.info)),
              num(fmtNumber(ph.ackedPerSecond)),
            ]),
          },
  };
}

const DURING_ENDS = {
  writable: "a region became writable",
  heal: "the fault was healed",
  "workload-end": "the workload ended",
};

export function latencyContent(s: Summary): { table: Table; explanation: string } {
  const w = s.measurements.writeLatency;
  const row = (phase: string, fromMs: string, toMs: string, l: LatencyStats): Cell[] => [
    phase,
    num(fromMs),
    num(toMs),
    num(String(l.count)),
    num(fmtMs(l.p50Ms)),
    num(fmtMs(l.p99Ms)),
    num(fmtMs(l.maxMs)),
  ];
  return {
    table: {
      header: ["phase", "from", "to", "acked writes", "p50", "p99", "max"],
      rows: [
        ...w.phases.map((ph) => row(ph.phase, fmtClock(ph.fromMs), fmtClock(ph.toMs), ph)),
        row("overall", "", "", w.overall),
      ],
    },
    explanation:
      "Acknowledged writes, ack − invoke, by the phase each write was invoked in" +
      (w.duringEndsAt === null ? "." : `; the during phase ends when ${DURING_ENDS[w.duringEndsAt]}.`) +
      (w.reason === undefined ? "" : ` ${w.reason}.`),
  };
}

/** Replication lag as sampled; `standbys` is a sentence instead of a table when none was connected. */
export function replicationContent(
  s: Summary,
):
  | { sampled: false; text: string }
  | { sampled: true; items: string[]; standbys: Table | string; explanation: string } {
  const r = s.measurements.replication;
  if (r.samples === 0) return { sampled: false, text: `Not sampled: ${r.reason ?? "no samples"}.` };
  return {
    sampled: true,
    items: [
      `WAL distance at failover: ${describeWalAtFailover(r.atFailover)}`,
      `Lost acknowledged writes: ${fmtNumber(s.measurements.rpo.lostWrites)}`,
    ],
    standbys:
      r.perStandby.length === 0
        ? "No standby was connected to a primary in any sample."
        : {
            header: [
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
            rows: r.perStandby.map((l) => [
              l.primary,
              l.standby,
              num(String(l.samples)),
              num(String(l.streamingSamples)),
              l.syncStates.join(", ") || NA,
              num(fmtMs(l.replayLagMsP50)),
              num(fmtMs(l.replayLagMsMax)),
              num(fmtBytes(l.replayLagBytesP50)),
              num(fmtBytes(l.replayLagBytesMax)),
            ]),
          },
    explanation:
      `Sampled every ${fmtMs(r.sampleMs)} directly on each database, ${r.samples} sample(s): lags as ` +
      "pg_stat_replication reports them, distances as pg_wal_lsn_diff from the primary's current WAL position.",
  };
}

/** Per-client RTO and DNS switch; null when no client has either. */
export function clientsTable(s: Summary): Table | null {
  const rto = s.measurements.rto.perClient;
  const dns = new Map(s.measurements.dnsSwitch.perClient.map((c) => [c.client, c.switchMs]));
  if (rto.length === 0 && dns.size === 0) return null;
  const clients = [...new Set([...rto.map((c) => c.client), ...dns.keys()])].sort((a, b) => a - b);
  return {
    header: ["client", "RTO", "gap", "DNS switch after writable"],
    rows: clients.map((client) => {
      const r = rto.find((c) => c.client === client);
      return [num(String(client)), num(fmtMs(r?.rtoMs)), num(fmtMs(r?.gapMs)), num(fmtMs(dns.get(client)))];
    }),
  };
}

export function timelineTable(s: Summary): Table {
  return { header: ["t", "event"], rows: s.timeline.map((e) => [num(fmtClock(e.tMs)), e.event]) };
}

export function nodesTable(s: Summary): Table {
  return {
    header: ["node", "reachable", "role", "writes", "WAL LSN", "WAL vs survivor", "error"],
    rows: s.nodes.map((n) => [
      n.node,
      n.reachable ? "yes" : { text: "no", style: "bad" },
      n.role,
      num(String(n.count)),
      code(n.walLsn ?? NA),
      num(n.walBytesFromSurvivor === undefined ? NA : `${n.walBytesFromSurvivor} bytes`),
      n.error ?? "",
    ]),
  };
}

export const NO_NOTES = "None.";
