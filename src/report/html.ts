// report.html: the Markdown report's content as one self-contained page for people (inline CSS, no
// scripts, no external assets), with the status and the objectives in colour. The content comes from
// sections.ts; this file only writes it as escaped HTML.
import type { Summary } from "../checkers/types.ts";
import { conflictsTable, residencyTable } from "./conflicts-section.ts";
import { fmtMs, fmtNumber, NA } from "./format.ts";
import {
  clientsTable,
  drillContent,
  headline,
  latencyContent,
  MEASURED_EXPLANATION,
  MEASURED_HEADER,
  measuredRows,
  NO_NOTES,
  NO_OBJECTIVES,
  nodesTable,
  notApplicableReasons,
  objectivesTable,
  replicationContent,
  rpoContent,
  splitBrainContent,
  timelineTable,
  TITLES,
  workloadContent,
  type Cell,
  type IdList,
  type Line,
  type Table,
} from "./sections.ts";
import { chartBlocks } from "./charts/index.ts";
import { rtoContent } from "./rto-section.ts";

/** Markup that is already safe. Every plain string is escaped on its way into the page. */
class Html {
  constructor(readonly markup: string) {}
}
type Content = string | Html | readonly Content[];

function escapeHtml(s: string): string {
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
  "h3",
  "figure",
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

/** Figures and durations align right so their digits line up. */
const num = (text: string): Cell => ({ text, style: "num" });

function td(c: Cell): Html {
  if (typeof c === "string") return el("td", null, c);
  if ("outcome" in c)
    return el(
      "td",
      null,
      el("span", { class: `badge ${c.outcome}` }, c.outcome),
      c.reason === undefined ? "" : ` ${c.reason}`,
    );
  if (c.style === "code") return el("td", null, el("code", null, c.text));
  return el("td", { class: c.style }, c.text);
}

function table(t: Table, cls?: string): Html {
  return el(
    "table",
    cls === undefined ? null : { class: cls },
    el("thead", null, el("tr", null, ...t.header.map((h) => el("th", null, h)))),
    el("tbody", null, ...t.rows.map((r) => el("tr", null, ...r.map(td)))),
  );
}

const line = (l: Line): Content =>
  typeof l === "string"
    ? l
    : l.map((span) => (typeof span === "string" ? span : el("strong", null, span.strong)));

function section(id: keyof typeof TITLES, ...body: Content[]): Html {
  return el("section", { id }, el("h2", null, TITLES[id]), ...body);
}

const STATUS_TEXT = { pass: "PASS", fail: "FAIL", inconclusive: "INCONCLUSIVE" } as const;

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
    p(headline(s)),
  );
}

function drillSection(s: Summary): Html {
  const d = drillContent(s);
  return section(
    "drill",
    ul([
      ...d.setup,
      [
        d.faults.label,
        d.faults.items.length === 0
          ? ""
          : el("ol", { start: "0" }, ...d.faults.items.map((f) => el("li", null, f))),
      ],
      d.recovery,
    ]),
  );
}

function measuredSection(s: Summary): Html {
  const m = s.measurements;
  // An uncertainty beside "n/a" measures nothing; leave its cell empty.
  const rows = measuredRows(s, "→").map((r): Cell[] => [
    r.label,
    num(r.measured),
    num(r.measured === NA ? "" : r.uncertainty),
    r.predicted,
  ]);
  const why = notApplicableReasons(s);
  const notes = [m.detection.note, m.promotion.note].filter((n): n is string => n !== undefined);
  return section(
    "measured",
    table({ header: MEASURED_HEADER, rows }),
    el("p", { class: "explain" }, MEASURED_EXPLANATION),
    why.length + notes.length === 0 ? "" : ul([...why, ...notes]),
  );
}

function objectivesSection(s: Summary): Html {
  const t = objectivesTable(s);
  return section("objectives", t === null ? p(NO_OBJECTIVES) : table(t));
}

const idList = (l: IdList): Html => p(`${l.label}: `, el("code", null, l.ids));

function rpoSection(s: Summary): Html {
  const r = rpoContent(s);
  return section(
    "rpo",
    ul(r.items.map(line)),
    r.correctnessBug === null
      ? ""
      : el("p", { class: "alert" }, el("strong", null, "Correctness bug: "), r.correctnessBug),
    r.idLists.map(idList),
  );
}

function splitBrainSection(s: Summary): Html {
  const b = splitBrainContent(s);
  if (!b.detected) return section("split-brain", p(b.text));
  return section(
    "split-brain",
    el("p", { class: "alert" }, el("strong", null, "Detected: "), b.text),
    idList(b.ids),
  );
}

function workloadSection(s: Summary): Html {
  const w = workloadContent(s);
  return section("workload", p(w.text), w.phases === null ? "" : table(w.phases));
}

function latencySection(s: Summary): Html {
  const l = latencyContent(s);
  return section("latency", table(l.table), el("p", { class: "explain" }, l.explanation));
}

function replicationSection(s: Summary): Html {
  const r = replicationContent(s);
  if (!r.sampled) return section("replication", p(r.text));
  return section(
    "replication",
    ul(r.items),
    typeof r.standbys === "string" ? p(r.standbys) : table(r.standbys),
    el("p", { class: "explain" }, r.explanation),
  );
}

/** The charts, each under its heading, or the sentence that says why it could not be drawn. */
function chartsSection(s: Summary): Html {
  return section(
    "charts",
    chartBlocks(s).map((b) =>
      el(
        "figure",
        { id: `chart-${b.id}`, class: "chart-block" },
        el("h3", null, b.heading),
        b.svg === null
          ? el("p", { class: "no-chart" }, b.missing)
          : [el("p", { class: "explain" }, b.caption), new Html(`${b.svg}\n`)],
      ),
    ),
  );
}

function rtoSection(s: Summary): Html {
  const r = rtoContent(s);
  return section(
    "rto",
    ...r.summary.map((l) => p(l)),
    r.byProfile === null ? "" : table(r.byProfile),
    r.outside.length === 0 ? "" : ul(r.outside),
  );
}

function activeActiveSections(s: Summary): Array<Html | ""> {
  const c = conflictsTable(s);
  const r = residencyTable(s);
  return [c === null ? "" : section("conflicts", table(c)), r === null ? "" : section("residency", table(r))];
}

function clientsSection(s: Summary): Html | "" {
  const t = clientsTable(s);
  return t === null ? "" : section("clients", table(t));
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
h3 { font-size: 1.05em; margin: 20px 0 2px; }
figure.chart-block { margin: 0 0 16px; overflow-x: auto; }
figure.chart-block .explain { margin: 0 0 4px; }
svg.chart { display: block; }
.no-chart { color: var(--muted); font-style: italic; border: 1px dashed var(--line); border-radius: 6px;
  padding: 8px 12px; }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
`;

export function renderHtml(s: Summary): string {
  const body = [
    bannerSection(s),
    el(
      "main",
      null,
      chartsSection(s),
      drillSection(s),
      measuredSection(s),
      objectivesSection(s),
      rpoSection(s),
      splitBrainSection(s),
      rtoSection(s),
      workloadSection(s),
      latencySection(s),
      replicationSection(s),
      ...activeActiveSections(s),
      clientsSection(s),
      section("timeline", table(timelineTable(s), "timeline")),
      section("nodes", table(nodesTable(s))),
      section("notes", s.notes.length === 0 ? p(NO_NOTES) : ul(s.notes)),
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
