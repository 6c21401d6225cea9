// report.md: the drill, what was measured beside what was predicted, objectives, data loss, timeline.
// The content comes from sections.ts; this file only writes it as Markdown.
import type { Summary } from "../checkers/types.ts";
import { conflictsTable, residencyTable } from "./conflicts-section.ts";
import { fmtMs } from "./format.ts";
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
  type Line,
  type Table,
} from "./sections.ts";
import { rtoContent } from "./rto-section.ts";

const escapeCell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function cellText(c: Cell): string {
  if (typeof c === "string") return c;
  if ("outcome" in c) return c.outcome + (c.reason === undefined ? "" : ` (${c.reason})`);
  return c.text;
}

function table(t: Table): string {
  const line = (cells: readonly Cell[]): string =>
    `| ${cells.map((c) => escapeCell(cellText(c))).join(" | ")} |`;
  return [line(t.header), `|${t.header.map(() => "---").join("|")}|`, ...t.rows.map(line)].join("\n");
}

const lineText = (l: Line): string =>
  typeof l === "string" ? l : l.map((span) => (typeof span === "string" ? span : span.strong)).join("");

const heading = (id: keyof typeof TITLES): string => `## ${TITLES[id]}`;
const bullets = (lines: readonly Line[]): string[] => lines.map((l) => `- ${lineText(l)}`);

function drillSection(s: Summary): string[] {
  const d = drillContent(s);
  return [
    heading("drill"),
    "",
    ...bullets([...d.setup, d.faults.label]),
    ...d.faults.items.map((f, i) => `  ${i}. ${f}`),
    ...bullets([d.recovery]),
  ];
}

function measuredSection(s: Summary): string[] {
  const rows = measuredRows(s, "->").map((r) => [r.label, r.measured, r.uncertainty, r.predicted]);
  const why = notApplicableReasons(s);
  return [
    heading("measured"),
    "",
    table({ header: MEASURED_HEADER, rows }),
    "",
    MEASURED_EXPLANATION,
    ...(why.length > 0 ? ["", ...bullets(why)] : []),
  ];
}

function objectivesSection(s: Summary): string[] {
  const t = objectivesTable(s);
  return [heading("objectives"), "", t === null ? NO_OBJECTIVES : table(t)];
}

function rpoSection(s: Summary): string[] {
  const r = rpoContent(s);
  return [
    heading("rpo"),
    "",
    ...bullets(r.items),
    ...(r.correctnessBug === null ? [] : ["", `> **Correctness bug:** ${r.correctnessBug}`]),
    ...r.idLists.flatMap((l) => ["", `${l.label}: ${l.ids}`]),
  ];
}

function splitBrainSection(s: Summary): string[] {
  const b = splitBrainContent(s);
  if (!b.detected) return [heading("split-brain"), "", b.text];
  return [heading("split-brain"), "", `**Detected:** ${b.text}`, "", `${b.ids.label}: ${b.ids.ids}`];
}

function workloadSection(s: Summary): string[] {
  const w = workloadContent(s);
  return [heading("workload"), "", w.text, ...(w.phases === null ? [] : ["", table(w.phases)])];
}

function latencySection(s: Summary): string[] {
  const l = latencyContent(s);
  return [heading("latency"), "", table(l.table), "", l.explanation];
}

function replicationSection(s: Summary): string[] {
  const r = replicationContent(s);
  if (!r.sampled) return [heading("replication"), "", r.text];
  return [
    heading("replication"),
    "",
    ...bullets(r.items),
    "",
    typeof r.standbys === "string" ? r.standbys : table(r.standbys),
    "",
    r.explanation,
  ];
}

function rtoSection(s: Summary): string[] {
  const r = rtoContent(s);
  return [
    heading("rto"),
    "",
    ...r.summary.flatMap((l) => [l, ""]),
    ...(r.byProfile === null ? [] : [table(r.byProfile), ""]),
    ...(r.outside.length === 0 ? [] : bullets(r.outside)),
  ].filter((l, i, all) => !(l === "" && i === all.length - 1));
}

function activeActiveSections(s: Summary): string[][] {
  const c = conflictsTable(s);
  const r = residencyTable(s);
  return [
    c === null ? [] : [heading("conflicts"), "", table(c)],
    r === null ? [] : [heading("residency"), "", table(r)],
  ];
}

function clientsSection(s: Summary): string[] {
  const t = clientsTable(s);
  return t === null ? [] : [heading("clients"), "", table(t)];
}

export function renderMarkdown(s: Summary): string {
  const d = s.drill;
  const sections: string[][] = [
    [
      `# Drill report: ${d.name}`,
      "",
      `**Status: ${s.status.toUpperCase()}** · started ${s.startedAt} · ran ${fmtMs(s.durationMs)}`,
      "",
      ...(d.description.trim() === "" ? [] : [`> ${d.description.trim().replace(/\n/g, "\n> ")}`, ""]),
      headline(s),
    ],
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
    [heading("timeline"), "", table(timelineTable(s))],
    [heading("nodes"), "", table(nodesTable(s))],
    [heading("notes"), "", ...(s.notes.length === 0 ? [NO_NOTES] : bullets(s.notes))],
  ];
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n")
    .concat("\n");
}
