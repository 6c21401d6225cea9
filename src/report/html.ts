// report.html: the Markdown report's content as one self-contained page for people (inline CSS, no
// scripts, no external assets), with the status and the objectives in colour.
import type { LatencyStats, Summary } from "../checkers/types.ts";
import type { ObjectiveResult } from "../objectives/evaluate.ts";
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
import { describeDrillFault, describeWalAtFailover } from "./markdown.ts";

const LOST_IDS_SHOWN = 50;

/** Markup that is already safe. Every plain string is escaped on its way into the page. */
class Html {
  constructor(readonly markup: string) {}
}
type Content = string | Html | readonly Content[];

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function render(c: Content): string {
  if (typeof c === "string") return escapeHtml(c);
  if (c instanceof Html) return c.markup;
  return c.map(render).join("");
}

/** Elements followed by a line break, so the page source reads (and diffs) line by line. */
const BLOCKS = new Set([
  "head",
  "body",
  "header",
  "main",
  "section",
  "table",
  "tr",
  "ul",
  "ol",
  "li",
  "p",
  "div",
  "h1",
  "h2",
  "blockquote",
  "title",
]);

/** An element; tag names and attribute names are ours, attribute values and children are escaped. */
function el(tag: string, attrs: Record<string, string> | null, ...children: Content[]): Html {
  const a = Object.entries(attrs ?? {})
    .map(([k, v]) => ` ${k}="${escapeHtml(v)}"`)
    .join("");
  return new Html(`<${tag}${a}>${render(children)}</${tag}>${BLOCKS.has(tag) ? "\n" : ""}`);
}

const p = (...children: Content[]): Html => el("p", null, ...children);
const ul = (items: readonly Content[]): Html => el("ul", null, ...items.map((i) => el("li", null, i)));

/** A cell is plain text, or text with a class (e.g. right-aligned numbers, an outcome colour). */
type Cell = Content | { text: Content; cls: string };

/** Figures and durations align right so their digits line up. */
const num = (text: string): Cell => ({ text, cls: "num" });

function table(header: readonly string[], rows: readonly (readonly Cell[])[], cls?: string): Html {
  const td = (c: Cell): Html =>
    typeof c === "object" && "cls" in c ? el("td", { class: c.cls }, c.text) : el("td", null, c);
  return el(
    "table",
    cls === undefined ? null : { class: cls },
    el("thead", null, el("tr", null, ...header.map((h) => el("th", null, h)))),
    el("tbody", null, ...rows.map((r) => el("tr", null, ...r.map(td)))),
  );
}

function section(id: string, title: string, ...body: Content[]): Html {
  return el("section", { id }, el("h2", null, title), ...body);
}

const STATUS_TEXT = { pass: "PASS", fail: "FAIL", inconclusive: "INCONCLUSIVE" } as const;

function outcomeBadge(o: ObjectiveResult): Html {
  const outcome = objectiveOutcome(o);
  return el("span", { class: `badge ${outcome}` }, outcome);
}

function bannerSection(s: Summary): Html {
  const m = s.measurements;
  const missed = s.objectives.filter((o) => o.met === false).length;
  const undecided = s.objectives.filter((o) => o.met === null).length;
  const verdict =
    s.objectives.length === 0
      ? "no objectives defined"
      : `${s.objectives.length - missed - undecided} of ${s.objectives.length} objectives met` +
        (missed > 0 ? `, ${missed} missed` : "") +
        (undecided > 0 ? `, ${undecided} inconclusive` : "");
  const figure = (label: string, value: string, detail?: string): Html =>
    el(
      "div",
      { class: "figure" },
      el("div", { class: "label" }, label),
      el("div", { class: "value" }, value),
      detail === undefined ? "" : el("div", { class: "detail" }, detail),
    );
  const pm = (ms: number | null, uncertaintyMs: number): string | undefined =>
    ms === null ? undefined : `± ${fmtMs(uncertaintyMs)}`;
  const hadFailover = [m.detection.ms, m.promotion.ms, m.dnsSwitch.clientLastMs, m.rto.maxMs].some(
    (v) => v !== null,
  );
  const during = m.writeLatency.phases.find((ph) => ph.phase === "during");
  return el(
    "header",
    null,
    el("h1", null, `Drill report: ${s.drill.name}`),
    el(
      "div",
      { class: `banner ${s.status}`, role: "status" },
      el("span", { class: "status" }, STATUS_TEXT[s.status]),
      el("span", null, ` ${verdict} · started ${s.startedAt} · ran ${fmtMs(s.durationMs)}`),
    ),
    s.drill.description.trim() === "" ? "" : el("blockquote", null, s.drill.description.trim()),
    el(
      "div",
      { class: "figures" },
      // A drill without a failover (a brownout) would show a row of n/a; its latency tells its story.
      hadFailover
        ? [
            figure("detection", fmtMs(m.detection.ms), pm(m.detection.ms, m.detection.uncertaintyMs)),
            figure("promotion", fmtMs(m.promotion.ms)),
            figure("last client switched", fmtMs(m.dnsSwitch.clientLastMs), "after writable"),
            figure("RTO max", fmtMs(m.rto.maxMs), pm(m.rto.maxMs, m.rto.uncertaintyMs)),
          ]
        : "",
      figure("lost writes", fmtNumber(m.rpo.lostWrites), `of ${m.rpo.ackedWrites} acknowledged`),
      figure(
        "write latency p99",
        fmtMs(m.writeLatency.overall.p99Ms),
        `p50 ${fmtMs(m.writeLatency.overall.p50Ms)}` +
          (during === undefined ? "" : `, p50 during the fault ${fmtMs(during.p50Ms)}`),
      ),
      figure(
        "acked writes/s",
        fmtNumber(m.throughput.ackedPerSecond),
        `of ${s.drill.workload.ratePerSecond} offered`,
      ),
    ),
    p(
      `Detection ${fmtMsPm(m.detection.ms, m.detection.uncertaintyMs)}, promotion ${fmtMs(m.promotion.ms)}, ` +
        `last client on the new address ${fmtMs(m.dnsSwitch.clientLastMs)} after writable, ` +
        `RTO max ${fmtMsPm(m.rto.maxMs, m.rto.uncertaintyMs)}, ` +
        `${fmtNumber(m.rpo.lostWrites)} of ${m.rpo.ackedWrites} acknowledged writes lost.`,
    ),
  );
}

function drillSection(s: Summary): Html {
  const d = s.drill;
  const hc = d.controller.healthCheck;
  return section(
    "drill",
    "What the drill did",
    ul([
      `Regions: ${d.regions.map((r) => `${r.name} (${r.role})`).join(", ")}; ${d.database.engine} ` +
        `${d.database.replication} replication; ${fmtMs(d.network.interRegionLatencyMs)} between regions.`,
      `Workload: ${d.workload.clients} clients, ${d.workload.ratePerSecond} writes/s in total for ` +
        `${fmtMs(d.workload.durationMs)} (request timeout ${fmtMs(d.workload.requestTimeoutMs)}).`,
      `Controller: ${d.controller.mode}; health check every ${fmtMs(hc.intervalMs)}, timeout ` +
        `${fmtMs(hc.timeoutMs)}, ${hc.failureThreshold} failures to declare the primary down.`,
      `DNS: ${d.dns.name}, TTL ${fmtMs(d.dns.ttlMs)}.`,
      [
        `Faults:${d.faults.length === 0 ? " none" : ""}`,
        d.faults.length === 0
          ? ""
          : el("ol", { start: "0" }, ...d.faults.map((f) => el("li", null, describeDrillFault(f)))),
      ],
      `Recovery wait before the final reads: ${fmtMs(d.recovery.waitMs)}.`,
    ]),
  );
}

function measuredSection(s: Summary): Html {
  const m = s.measurements;
  const pr = s.predicted;
  const dns = m.dnsSwitch;
  const rto = m.rto;
  // An uncertainty beside "n/a" measures nothing; leave its cell empty.
  const row = (label: string, measured: string, pm: string, predicted: string): Cell[] => [
    label,
    num(measured),
    num(measured === NA ? "" : pm),
    predicted,
  ];
  const rows = [
    row(
      "detection (fault → primary declared down)",
      fmtMs(m.detection.ms),
      fmtMs(m.detection.uncertaintyMs),
      `${fmtMs(pr.detectionMs)} (range ${fmtMs(pr.detectionRangeMs[0])} – ${fmtMs(pr.detectionRangeMs[1])})`,
    ),
    row(
      m.promotion.basis === "database-roles"
        ? "promotion (observed from database roles)"
        : "promotion (declared down → writable)",
      fmtMs(m.promotion.ms),
      fmtMs(m.promotion.uncertaintyMs),
      NA,
    ),
    row(
      "DNS authoritative (writable → new answer)",
      fmtMs(dns.authoritativeMs),
      fmtMs(dns.authoritativeUncertaintyMs),
      NA,
    ),
    row("DNS first client (writable → resolved)", fmtMs(dns.clientFirstMs), fmtMs(dns.uncertaintyMs), NA),
    row(
      "DNS last client (writable → resolved)",
      fmtMs(dns.clientLastMs),
      fmtMs(dns.uncertaintyMs),
      `≤ ${fmtMs(pr.ttlMs)} (TTL)`,
    ),
    row(
      "DNS failover (fault → last client switched)",
      fmtMs(dns.faultToClientLastMs),
      fmtMs(dns.uncertaintyMs + m.detection.uncertaintyMs),
      `${fmtMs(pr.dnsFailoverMs)} (detection + TTL, excludes promotion)`,
    ),
    row("RTO p50 (client-observed)", fmtMs(rto.p50Ms), fmtMs(rto.uncertaintyMs), NA),
    row("RTO p99", fmtMs(rto.p99Ms), fmtMs(rto.uncertaintyMs), NA),
    row("RTO max", fmtMs(rto.maxMs), fmtMs(rto.uncertaintyMs), NA),
    row("RTO gap p50 (last ok before → first ok after)", fmtMs(rto.gapP50Ms), fmtMs(rto.uncertaintyMs), NA),
    row("RTO gap max", fmtMs(rto.gapMaxMs), fmtMs(rto.uncertaintyMs), NA),
    row(
      "lost acknowledged writes",
      fmtNumber(m.rpo.lostWrites),
      "exact",
      s.drill.database.replication === "async" ? "> 0 possible (async)" : "0",
    ),
    row("lost window (RPO as time)", fmtMs(m.rpo.lostWindowMs), fmtMs(pr.clientOpIntervalMs), NA),
    row(
      "throughput (acked writes/s)",
      fmtNumber(m.throughput.ackedPerSecond),
      "",
      `${s.drill.workload.ratePerSecond}`,
    ),
  ];
  const why = [
    ["detection", m.detection.reason],
    ["promotion", m.promotion.reason],
    ["DNS switch", dns.reason],
    ["RTO", rto.reason],
    ["RPO", m.rpo.reason],
  ].flatMap(([name, reason]) => (reason === undefined ? [] : [`${name} n/a: ${reason}`]));
  const notes = [m.detection.note, m.promotion.note].filter((n): n is string => n !== undefined);
  return section(
    "measured",
    "Measured vs predicted",
    table(["measurement", "measured", "±", "predicted"], rows),
    el(
      "p",
      { class: "explain" },
      "Durations are on the runner's monotonic clock. t_fault is the injection of the primary-region outage " +
        "(± the time the injection took). RTO is measured per client from t_fault to the first write " +
        "acknowledged among those invoked after the fault took effect. The predicted DNS failover is " +
        "detection + TTL and excludes promotion, which the architecture does not predict.",
    ),
    why.length + notes.length === 0 ? "" : ul([...why, ...notes]),
  );
}

function objectivesSection(s: Summary): Html {
  if (s.objectives.length === 0)
    return section("objectives", "Objectives", p("The drill defines no objectives."));
  const rows = s.objectives.map((o): Cell[] => [
    el("code", null, o.name),
    el("code", null, o.limit),
    num(fmtValue(o.measured, o.unit)),
    [outcomeBadge(o), o.reason === undefined ? "" : ` ${o.reason}`],
  ]);
  return section("objectives", "Objectives", table(["objective", "limit", "measured", "result"], rows));
}

function rpoSection(s: Summary): Html {
  const r = s.measurements.rpo;
  const byRegion = Object.entries(r.lostByRegion).map(([region, n]) => `${region}: ${n}`);
  const items: Content[] = [
    `Surviving primary: ${r.survivingPrimary ?? NA}` +
      (r.survivingPrimaryRole === null ? "" : ` (read as ${r.survivingPrimaryRole})`),
    `Acknowledged writes: ${r.ackedWrites}`,
    [
      "Lost acknowledged writes: ",
      el("strong", null, fmtNumber(r.lostWrites)),
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
  const body: Content[] = [ul(items)];
  if ((r.failedButPresent ?? 0) > 0) {
    body.push(
      el(
        "p",
        { class: "alert" },
        el("strong", null, "Correctness bug: "),
        `${r.failedButPresent} write(s) were reported to clients as failed but are present on the surviving ` +
          `primary: ${idsHead(r.failedButPresentIds, r.failedButPresent ?? 0, LOST_IDS_SHOWN)}.`,
      ),
    );
  }
  if ((r.lostWrites ?? 0) > 0) {
    body.push(p("Lost ids: ", el("code", null, idsHead(r.lostIds, r.lostWrites ?? 0, LOST_IDS_SHOWN))));
  }
  if ((r.unexpectedWrites ?? 0) > 0) {
    body.push(
      p(
        "Unexpected ids: ",
        el("code", null, idsHead(r.unexpectedIds, r.unexpectedWrites ?? 0, LOST_IDS_SHOWN)),
      ),
    );
  }
  return section("rpo", "Data loss (RPO)", ...body);
}

function splitBrainSection(s: Summary): Html {
  const b = s.measurements.splitBrain;
  if (!b.detected)
    return section(
      "split-brain",
      "Split brain",
      p("Not detected: no region acknowledged writes after being superseded."),
    );
  return section(
    "split-brain",
    "Split brain",
    el(
      "p",
      { class: "alert" },
      el("strong", null, "Detected: "),
      `${b.writes} write(s) acknowledged by a superseded primary; regions ${b.regions.join(", ")}; ` +
        `overlap ${fmtMs(b.overlapMs)} (from ${fmtMs(b.overlapFromMs)} to ${fmtMs(b.overlapToMs)}).`,
    ),
    p("Ids: ", el("code", null, idsHead(b.ids, b.writes, LOST_IDS_SHOWN))),
  );
}

function throughputSection(s: Summary): Html {
  const t = s.measurements.throughput;
  return section(
    "workload",
    "Workload",
    p(
      `${t.attempted} writes attempted over ${fmtMs(t.windowMs)}: ${t.ok} ok, ${t.fail} failed, ${t.info} ` +
        `indeterminate, ${t.pending} never completed; ${fmtNumber(t.ackedPerSecond)} acknowledged writes/s.`,
    ),
    t.phases.length === 0
      ? ""
      : table(
          ["phase", "from", "to", "ok", "fail", "info", "acked/s"],
          t.phases.map((ph) => [
            ph.phase,
            num(fmtMs(ph.fromMs)),
            num(fmtMs(ph.toMs)),
            num(String(ph.ok)),
            num(String(ph.fail)),
            num(String(ph.info)),
            num(fmtNumber(ph.ackedPerSecond)),
          ]),
        ),
  );
}

function latencySection(s: Summary): Html {
  const w = s.measurements.writeLatency;
  const ends = {
    writable: "a region became writable",
    heal: "the fault was healed",
    "workload-end": "the workload ended",
  };
  const row = (phase: string, fromMs: string, toMs: string, l: LatencyStats): Cell[] => [
    phase,
    num(fromMs),
    num(toMs),
    num(String(l.count)),
    num(fmtMs(l.p50Ms)),
    num(fmtMs(l.p99Ms)),
    num(fmtMs(l.maxMs)),
  ];
  return section(
    "latency",
    "Write latency by phase",
    table(
      ["phase", "from", "to", "acked writes", "p50", "p99", "max"],
      [
        ...w.phases.map((ph) => row(ph.phase, fmtClock(ph.fromMs), fmtClock(ph.toMs), ph)),
        row("overall", "", "", w.overall),
      ],
    ),
    el(
      "p",
      { class: "explain" },
      "Acknowledged writes, ack − invoke, by the phase each write was invoked in" +
        (w.duringEndsAt === null ? "." : `; the during phase ends when ${ends[w.duringEndsAt]}.`) +
        (w.reason === undefined ? "" : ` ${w.reason}.`),
    ),
  );
}

function replicationSection(s: Summary): Html {
  const r = s.measurements.replication;
  if (r.samples === 0)
    return section("replication", "Replication", p(`Not sampled: ${r.reason ?? "no samples"}.`));
  return section(
    "replication",
    "Replication",
    ul([
      `WAL distance at failover: ${describeWalAtFailover(r.atFailover)}`,
      `Lost acknowledged writes: ${fmtNumber(s.measurements.rpo.lostWrites)}`,
    ]),
    r.perStandby.length === 0
      ? p("No standby was connected to a primary in any sample.")
      : table(
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
            num(String(l.samples)),
            num(String(l.streamingSamples)),
            l.syncStates.join(", ") || NA,
            num(fmtMs(l.replayLagMsP50)),
            num(fmtMs(l.replayLagMsMax)),
            num(fmtBytes(l.replayLagBytesP50)),
            num(fmtBytes(l.replayLagBytesMax)),
          ]),
        ),
    el(
      "p",
      { class: "explain" },
      `Sampled every ${fmtMs(r.sampleMs)} directly on each database, ${r.samples} sample(s): lags as ` +
        "pg_stat_replication reports them, distances as pg_wal_lsn_diff from the primary's current WAL position.",
    ),
  );
}

function clientsSection(s: Summary): Html | "" {
  const rto = s.measurements.rto.perClient;
  const dns = new Map(s.measurements.dnsSwitch.perClient.map((c) => [c.client, c.switchMs]));
  if (rto.length === 0 && dns.size === 0) return "";
  const clients = [...new Set([...rto.map((c) => c.client), ...dns.keys()])].sort((a, b) => a - b);
  const rows = clients.map((client) => {
    const r = rto.find((c) => c.client === client);
    return [num(String(client)), num(fmtMs(r?.rtoMs)), num(fmtMs(r?.gapMs)), num(fmtMs(dns.get(client)))];
  });
  return section("clients", "Clients", table(["client", "RTO", "gap", "DNS switch after writable"], rows));
}

function timelineSection(s: Summary): Html {
  return section(
    "timeline",
    "Timeline",
    table(
      ["t", "event"],
      s.timeline.map((e) => [num(fmtClock(e.tMs)), e.event]),
      "timeline",
    ),
  );
}

function nodesSection(s: Summary): Html {
  return section(
    "nodes",
    "Final state of the nodes",
    table(
      ["node", "reachable", "role", "writes", "WAL LSN", "WAL vs survivor", "error"],
      s.nodes.map((n) => [
        n.node,
        n.reachable ? "yes" : { text: "no", cls: "bad" },
        n.role,
        num(String(n.count)),
        el("code", null, n.walLsn ?? NA),
        num(n.walBytesFromSurvivor === undefined ? NA : `${n.walBytesFromSurvivor} bytes`),
        n.error ?? "",
      ]),
    ),
  );
}

function notesSection(s: Summary): Html {
  return section("notes", "Notes", s.notes.length === 0 ? p("None.") : ul(s.notes));
}

// Colour carries the verdict, but the words do too (PASS, met, missed), so nothing depends on it.
const CSS = `
:root { --pass: #1a7f37; --fail: #cf222e; --inconclusive: #9a6700; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
  max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6em; margin: 0 0 12px; overflow-wrap: anywhere; }
h2 { font-size: 1.2em; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.banner { padding: 12px 16px; border-radius: 6px; color: #fff; font-size: 1.05em; }
.banner .status { font-weight: 700; font-size: 1.3em; letter-spacing: 0.05em; }
.banner.pass { background: var(--pass); }
.banner.fail { background: var(--fail); }
.banner.inconclusive { background: var(--inconclusive); }
blockquote { margin: 12px 0; padding: 4px 12px; border-left: 4px solid var(--line); color: var(--muted);
  white-space: pre-wrap; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 10px; margin: 16px 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.figure .label { color: var(--muted); font-size: 0.85em; }
.figure .value { font-size: 1.5em; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure .detail { color: var(--muted); font-size: 0.85em; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
tbody tr:nth-child(even) { background: #fafbfc; }
td.num { text-align: right; white-space: nowrap; }
td.bad { color: var(--fail); font-weight: 600; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-weight: 600; }
.badge.met { background: var(--pass); }
.badge.missed { background: var(--fail); }
.badge.inconclusive { background: var(--inconclusive); }
.alert { border: 1px solid var(--fail); background: #ffebe9; padding: 8px 12px; border-radius: 6px; }
.explain { color: var(--muted); font-size: 0.9em; }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
`;

export function renderHtml(s: Summary): string {
  const body = [
    bannerSection(s),
    el(
      "main",
      null,
      drillSection(s),
      measuredSection(s),
      objectivesSection(s),
      rpoSection(s),
      splitBrainSection(s),
      throughputSection(s),
      latencySection(s),
      replicationSection(s),
      clientsSection(s),
      timelineSection(s),
      nodesSection(s),
      notesSection(s),
    ),
  ];
  const head = [
    new Html('<meta charset="utf-8">'),
    new Html('<meta name="viewport" content="width=device-width, initial-scale=1">'),
    // Defence in depth: even markup that slipped past escaping could load or run nothing.
    new Html(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    ),
    el("title", null, `Drill report: ${s.drill.name} (${STATUS_TEXT[s.status]})`),
    new Html(`<style>${CSS}</style>`),
  ];
  return (
    "<!DOCTYPE html>\n" +
    render(el("html", { lang: "en" }, el("head", null, ...head), el("body", null, ...body))) +
    "\n"
  );
}
