// The short summary printed after a run: status, key figures with predicted beside measured,
// objectives met/missed, the head of the lost ids, notes.
import type { Summary } from "../checkers/types.ts";
import { fmtBytes, fmtMs, fmtMsPm, fmtNumber, fmtValue, idsHead, objectiveLabel } from "./format.ts";

const LOST_IDS_SHOWN = 10;

type Paint = (code: number, s: string) => string;

export function renderConsole(s: Summary, opts: { color?: boolean } = {}): string {
  const paint: Paint =
    opts.color === true ? (code, text) => `\x1b[${code}m${text}\x1b[0m` : (_code, text) => text;
  const red = (t: string): string => paint(31, t);
  const green = (t: string): string => paint(32, t);
  const yellow = (t: string): string => paint(33, t);
  const bold = (t: string): string => paint(1, t);
  const status =
    s.status === "pass" ? green("PASS") : s.status === "fail" ? red("FAIL") : yellow("INCONCLUSIVE");

  const m = s.measurements;
  const p = s.predicted;
  const dns = m.dnsSwitch;
  const rto = m.rto;
  const rpo = m.rpo;
  const row = (label: string, text: string): string => `  ${label.padEnd(12)} ${text}`;
  const lines = [
    bold(`drill ${s.drill.name}: ${status}`) + ` (ran ${fmtMs(s.durationMs)})`,
    row(
      "detection",
      `${fmtMsPm(m.detection.ms, m.detection.uncertaintyMs)}   predicted ${fmtMs(p.detectionMs)} ` +
        `[${fmtMs(p.detectionRangeMs[0])} – ${fmtMs(p.detectionRangeMs[1])}]`,
    ),
    row(
      "promotion",
      fmtMs(m.promotion.ms) +
        (m.promotion.basis === "database-roles" ? " (observed from database roles)" : "") +
        (p.writableRangeMs === undefined
          ? ""
          : `   writable predicted [${fmtMs(p.writableRangeMs[0])} – ${fmtMs(p.writableRangeMs[1])}] after the fault`),
    ),
    row(
      "DNS switch",
      `authoritative ${fmtMs(dns.authoritativeMs)}, clients first ${fmtMs(dns.clientFirstMs)} last ` +
        `${fmtMs(dns.clientLastMs)} after writable (${dns.clientsNotSwitched} never switched); fault -> last ` +
        `client ${fmtMs(dns.faultToClientLastMs)}, predicted ${fmtMs(p.dnsFailoverMs)} (detection + TTL, excl. promotion)`,
    ),
    row(
      "RTO",
      `p50 ${fmtMs(rto.p50Ms)}  p90 ${fmtMs(rto.p90Ms)}  p99 ${fmtMs(rto.p99Ms)}  max ${fmtMs(rto.maxMs)}  ` +
        `gap max ${fmtMs(rto.gapMaxMs)}  ± ${fmtMs(rto.uncertaintyMs)}` +
        (rto.predictedRangeMs === null
          ? ""
          : `   predicted [${fmtMs(rto.predictedRangeMs[0])} – ${fmtMs(rto.predictedRangeMs[1])}]` +
            (rto.clientsOutside > 0 ? yellow(`, ${rto.clientsOutside} client(s) outside`) : "")) +
        (rto.clientsNotRecovered > 0
          ? yellow(`  (${rto.clientsNotRecovered} client(s) never recovered)`)
          : ""),
    ),
    row(
      "clients",
      `${s.population.clients}, resolver ${profileCounts(s.population.resolver)}; connections ` +
        `${profileCounts(s.population.connections)}; seed ${s.population.seed ?? "n/a"}`,
    ),
    row(
      "RPO",
      rpo.lostWrites === null
        ? yellow(`inconclusive: ${rpo.reason ?? "unknown"}`)
        : `${(rpo.lostWrites > 0 ? red : green)(`${rpo.lostWrites} of ${rpo.ackedWrites} acknowledged writes lost`)}` +
            `, window ${fmtMs(rpo.lostWindowMs)}; ${rpo.indeterminateWrites} indeterminate ` +
            `(${fmtNumber(rpo.recoveredWrites)} recovered); ${fmtNumber(rpo.unexpectedWrites)} unexpected; ` +
            `survivor ${rpo.survivingPrimary ?? "n/a"}`,
    ),
  ];
  if ((rpo.lostWrites ?? 0) > 0) {
    lines.push(row("", `lost ids: ${idsHead(rpo.lostIds, rpo.lostWrites ?? 0, LOST_IDS_SHOWN)}`));
  }
  if ((rpo.failedButPresent ?? 0) > 0) {
    lines.push(
      row(
        "",
        red(
          `BUG: ${rpo.failedButPresent} failed write(s) present: ` +
            idsHead(rpo.failedButPresentIds, rpo.failedButPresent ?? 0, LOST_IDS_SHOWN),
        ),
      ),
    );
  }
  const sb = m.splitBrain;
  lines.push(
    row(
      "split brain",
      sb.detected
        ? red(`DETECTED: ${sb.writes} write(s), ${sb.regions.join(" + ")}, ${fmtMs(sb.overlapMs)}`)
        : "no",
    ),
    row(
      "throughput",
      `${fmtNumber(m.throughput.ackedPerSecond)} acked/s (${m.throughput.attempted} attempted: ` +
        `${m.throughput.ok} ok, ${m.throughput.fail} fail, ${m.throughput.info} info)`,
    ),
    row(
      "latency",
      `p50 ${fmtMs(m.writeLatency.overall.p50Ms)}  p99 ${fmtMs(m.writeLatency.overall.p99Ms)}  max ` +
        `${fmtMs(m.writeLatency.overall.maxMs)}` +
        (m.writeLatency.phases.length > 1
          ? "  (p50 " + m.writeLatency.phases.map((p) => `${p.phase} ${fmtMs(p.p50Ms)}`).join(", ") + ")"
          : ""),
    ),
  );
  const rep = m.replication;
  if (rep.samples > 0) {
    const wal = rep.atFailover;
    lines.push(
      row(
        "replication",
        `max replay lag ${fmtMs(rep.maxReplayLagMs)} / ${fmtBytes(rep.maxReplayLagBytes)}` +
          (wal === null
            ? ""
            : `; at the fault ${wal.standby} was ${fmtBytes(wal.lagBytes)} behind ` +
              `(sampled ${fmtMs(wal.sampledMsBeforeFault)} before)`),
      ),
    );
  }
  const c = m.conflicts;
  if (c !== undefined) {
    lines.push(
      row(
        "conflicts",
        `${c.strategy}${c.merge === null ? "" : ` (${c.merge})`}: lost updates ${fmtValue(c.lostUpdates, "count")} ` +
          `(increments ${fmtValue(c.lostIncrements, "count")}), discarded despite real time ${c.discardedDespiteRealTime}, ` +
          `concurrent writes ${c.concurrentWrites}; divergent keys ${fmtValue(c.divergentKeys, "count")} at the end ` +
          `(max ${c.divergentKeysMax}), converged ${c.timeToConvergeMs === null ? "never" : `${fmtMs(c.timeToConvergeMs)} after the heal`}`,
      ),
    );
  }
  const r = m.residency;
  if (r !== undefined) {
    lines.push(
      row(
        "residency",
        `rows outside their jurisdiction ${fmtValue(r.outOfJurisdictionRows, "count")}, writes refused ${r.refusedWrites}` +
          r.unavailable
            .map((u) => `; ${u.jurisdiction} unavailable ${u.ms === null ? "to the end" : fmtMs(u.ms)}`)
            .join(""),
      ),
    );
  }
  if (s.objectives.length > 0) {
    lines.push(bold("objectives"));
    for (const o of s.objectives) {
      const mark = o.met === true ? green("met   ") : o.met === false ? red("MISSED") : yellow("n/a   ");
      const reason = o.met === null && o.reason !== undefined ? ` (${o.reason})` : "";
      lines.push(`  ${mark} ${objectiveLabel(o)}   measured ${fmtValue(o.measured, o.unit)}${reason}`);
    }
  }
  if (s.notes.length > 0) {
    lines.push(bold("notes"), ...s.notes.map((n) => `  - ${n}`));
  }
  return lines.join("\n") + "\n";
}

function profileCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([profile, n]) => `${profile} ${n}`)
    .join(", ");
}
