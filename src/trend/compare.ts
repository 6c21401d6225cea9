// Pure: two runs' summaries side by side (figures, objectives, predicted), each difference marked
// better or worse by the figure's direction, and the drill fields that differ between them.
import { fmtMs, fmtValue } from "../report/format.ts";
import type { Summary } from "../summary/types.ts";
import type { Cell, Table } from "./content.ts";
import { fmtChange, fmtFigure } from "./describe.ts";
import { drillDigest } from "./digest.ts";
import {
  FIGURES,
  OUTCOME_RANK,
  STATUS_RANK,
  summaryFigures,
  type FigureSpec,
  type Outcome,
} from "./figures.ts";

interface ExtraFigure {
  spec: Omit<FigureSpec, "key" | "worse"> & { worse: "higher" | "lower" };
  read: (s: Summary) => number | null;
}

const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** Beyond the key figures: what else a side-by-side should show. */
const EXTRA: readonly ExtraFigure[] = [
  {
    spec: { label: "DNS switch (first client)", unit: "ms", worse: "higher" },
    read: (s) => num(s.measurements.dnsSwitch?.clientFirstMs),
  },
  {
    spec: { label: "fault -> last client on new address", unit: "ms", worse: "higher" },
    read: (s) => num(s.measurements.dnsSwitch?.faultToClientLastMs),
  },
  {
    spec: { label: "RTO gap max", unit: "ms", worse: "higher" },
    read: (s) => num(s.measurements.rto?.gapMaxMs),
  },
  {
    spec: { label: "clients not recovered", unit: "count", worse: "higher" },
    read: (s) => num(s.measurements.rto?.clientsNotRecovered),
  },
  {
    spec: { label: "acknowledged writes", unit: "count", worse: "lower" },
    read: (s) => num(s.measurements.rpo?.ackedWrites),
  },
  {
    spec: { label: "split-brain writes", unit: "count", worse: "higher" },
    read: (s) => num(s.measurements.splitBrain?.writes),
  },
  {
    spec: { label: "acked writes/s", unit: "count", worse: "lower" },
    read: (s) => num(s.measurements.throughput?.ackedPerSecond),
  },
  {
    spec: { label: "write latency p50", unit: "ms", worse: "higher" },
    read: (s) => num(s.measurements.writeLatency?.overall?.p50Ms),
  },
  {
    spec: { label: "write latency p99", unit: "ms", worse: "higher" },
    read: (s) => num(s.measurements.writeLatency?.overall?.p99Ms),
  },
];

export interface Comparison {
  a: { name: string; summary: Summary; digest: string };
  b: { name: string; summary: Summary; digest: string };
  /** Drill fields whose values differ, "path: A -> B" (description and the app's directory left out). */
  drillChanges: string[];
  drillChangesTruncated: boolean;
  summaryTable: Table;
  figures: Table;
  objectives: Table;
  predicted: Table;
}

const MAX_DRILL_CHANGES = 20;

/** "better" / "worse" / "same" / "" (not comparable), for a figure where `worse` says which way is bad. */
function verdict(worse: "higher" | "lower", a: number | null, b: number | null): Cell {
  if (a === null && b === null) return { text: "" };
  if (a !== null && b === null) return { text: "no longer measured", flag: true };
  if (a === null) return { text: "now measured" };
  if (a === b) return { text: "same" };
  const worseNow = worse === "higher" ? b! > a : b! < a;
  return worseNow ? { text: "worse", flag: true } : { text: "better" };
}

function figureRow(
  spec: Pick<FigureSpec, "label" | "unit"> & { worse: "higher" | "lower" },
  a: number | null,
  b: number | null,
): Cell[] {
  return [
    { text: spec.label },
    { text: fmtFigure(spec, a) },
    { text: fmtFigure(spec, b) },
    { text: a !== null && b !== null ? fmtChange(spec, a, b) : "" },
    verdict(spec.worse, a, b),
  ];
}

function outcomeOf(met: boolean | null): Outcome {
  return met === null ? "inconclusive" : met ? "met" : "missed";
}

function objectivesTable(a: Summary, b: Summary): Table {
  const names = [...new Set([...a.objectives, ...b.objectives].map((o) => o.name))];
  const rows = names.map((name): Cell[] => {
    const oa = a.objectives.find((o) => o.name === name);
    const ob = b.objectives.find((o) => o.name === name);
    const show = (o: typeof oa): string =>
      o === undefined ? "absent" : `${outcomeOf(o.met)} (${fmtValue(o.measured, o.unit)})`;
    const ra = oa === undefined ? null : OUTCOME_RANK[outcomeOf(oa.met)];
    const rb = ob === undefined ? null : OUTCOME_RANK[outcomeOf(ob.met)];
    const change: Cell =
      ra === null || rb === null
        ? { text: "" }
        : rb > ra
          ? { text: "worse", flag: true }
          : rb < ra
            ? { text: "better" }
            : { text: "same" };
    const limit =
      oa?.limit === ob?.limit || ob === undefined ? (oa?.limit ?? "") : `${oa?.limit ?? "-"} -> ${ob.limit}`;
    return [{ text: name }, { text: limit }, { text: show(oa) }, { text: show(ob) }, change];
  });
  return { header: ["objective", "limit", "A", "B", "change"], rows };
}

const rangeText = (r: readonly [number, number] | null | undefined): string =>
  r === null || r === undefined ? "n/a" : `${fmtMs(r[0])} – ${fmtMs(r[1])}`;

function predictedTable(a: Summary, b: Summary): Table {
  const rows: Array<[string, string, string]> = [
    ["detection", fmtMs(a.predicted.detectionMs), fmtMs(b.predicted.detectionMs)],
    ["detection range", rangeText(a.predicted.detectionRangeMs), rangeText(b.predicted.detectionRangeMs)],
    ["writable range", rangeText(a.predicted.writableRangeMs), rangeText(b.predicted.writableRangeMs)],
    ["DNS failover (detection + TTL)", fmtMs(a.predicted.dnsFailoverMs), fmtMs(b.predicted.dnsFailoverMs)],
    ["TTL", fmtMs(a.predicted.ttlMs), fmtMs(b.predicted.ttlMs)],
    ["client op interval", fmtMs(a.predicted.clientOpIntervalMs), fmtMs(b.predicted.clientOpIntervalMs)],
    [
      "RTO range",
      rangeText(a.measurements.rto?.predictedRangeMs),
      rangeText(b.measurements.rto?.predictedRangeMs),
    ],
  ];
  return {
    header: ["predicted", "A", "B", "change"],
    rows: rows.map(([label, x, y]) => [
      { text: label },
      { text: x },
      { text: y },
      { text: x === y ? "same" : "changed" },
    ]),
  };
}

/** Leaf values of a drill by path, for listing what changed between two runs' drills. */
function leaves(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    if (entries.length === 0) out.set(prefix, JSON.stringify(value));
    for (const [k, v] of entries) {
      leaves(v, Array.isArray(value) ? `${prefix}[${k}]` : prefix === "" ? k : `${prefix}.${k}`, out);
    }
    return;
  }
  out.set(prefix, JSON.stringify(value));
}

function drillChanges(a: Summary, b: Summary): string[] {
  const la = new Map<string, string>();
  const lb = new Map<string, string>();
  leaves(a.drill, "", la);
  leaves(b.drill, "", lb);
  const ignored = (p: string): boolean => p === "description" || p === "app.workingDir";
  const paths = [...new Set([...la.keys(), ...lb.keys()])].filter((p) => !ignored(p));
  return paths
    .filter((p) => la.get(p) !== lb.get(p))
    .map((p) => `${p}: ${la.get(p) ?? "(absent)"} -> ${lb.get(p) ?? "(absent)"}`);
}

export function compareRuns(
  a: { name: string; summary: Summary },
  b: { name: string; summary: Summary },
): Comparison {
  const sa = a.summary;
  const sb = b.summary;
  const fa = summaryFigures(sa);
  const fb = summaryFigures(sb);
  const changes = drillChanges(sa, sb);
  const statusChange: Cell =
    STATUS_RANK[sb.status]! > STATUS_RANK[sa.status]!
      ? { text: "worse", flag: true }
      : STATUS_RANK[sb.status]! < STATUS_RANK[sa.status]!
        ? { text: "better" }
        : { text: "same" };
  const da = drillDigest(sa.drill);
  const db = drillDigest(sb.drill);
  return {
    a: { ...a, digest: da },
    b: { ...b, digest: db },
    drillChanges: changes.slice(0, MAX_DRILL_CHANGES),
    drillChangesTruncated: changes.length > MAX_DRILL_CHANGES,
    summaryTable: {
      header: ["", "A", "B", "change"],
      rows: [
        [{ text: "run" }, { text: a.name }, { text: b.name }, { text: "" }],
        [
          { text: "drill" },
          { text: sa.drill.name },
          { text: sb.drill.name },
          { text: sa.drill.name === sb.drill.name ? "same" : "changed" },
        ],
        [{ text: "definition" }, { text: da }, { text: db }, { text: da === db ? "same" : "changed" }],
        [{ text: "started" }, { text: sa.startedAt }, { text: sb.startedAt }, { text: "" }],
        [{ text: "status" }, { text: sa.status }, { text: sb.status }, statusChange],
      ],
    },
    figures: {
      header: ["figure", "A", "B", "difference", "change"],
      rows: [
        ...FIGURES.map((f) => figureRow(f, fa[f.key], fb[f.key])),
        ...EXTRA.map((x) => figureRow(x.spec, x.read(sa), x.read(sb))),
      ],
    },
    objectives: objectivesTable(sa, sb),
    predicted: predictedTable(sa, sb),
  };
}
