// A matrix's cells: the grid of parameter values in run order, minus exclusions, plus includes, and
// how a cell and its values are named in slugs, tables and problems.
import { redactOverride } from "../drill/redact.ts";
import { parsePath } from "./path.ts";
import type { CellSpec, MatrixSpec, ParameterValue } from "./types.ts";

/**
 * The cells in run order: the grid with the first parameter varying slowest (as nested loops in the
 * order written), minus exclusions, then includes. Pure.
 */
export function expandCells(spec: Pick<MatrixSpec, "parameters" | "exclude" | "include">): {
  columns: string[];
  fixed: Record<string, ParameterValue>;
  cells: CellSpec[];
} {
  const fixed: Record<string, ParameterValue> = {};
  for (const p of spec.parameters) if (p.values.length === 1) fixed[p.path] = p.values[0];
  let grid: Array<Record<string, ParameterValue>> = [{}];
  for (const p of spec.parameters) {
    grid = grid.flatMap((partial) => p.values.map((value) => ({ ...partial, [p.path]: value })));
  }
  const excluded = (cell: Record<string, ParameterValue>): boolean =>
    spec.exclude.some((entry) =>
      Object.entries(entry).every(([key, value]) => key in cell && valueKey(cell[key]) === valueKey(value)),
    );
  const origins: Array<{ assignments: Record<string, ParameterValue>; include?: number }> = [
    ...grid.filter((cell) => !excluded(cell)).map((assignments) => ({ assignments })),
    ...spec.include.map((entry, include) => ({ assignments: { ...fixed, ...entry }, include })),
  ];
  const assignments = origins.map((o) => o.assignments);

  // A column for every path whose value is not the same in every cell.
  const paths = [
    ...spec.parameters.map((p) => p.path),
    ...spec.include.flatMap((entry) => Object.keys(entry)),
  ].filter((p, i, all) => all.indexOf(p) === i);
  const columns = paths.filter(
    (p) => new Set(assignments.map((a) => (p in a ? valueKey(a[p]) : "\u0000base"))).size > 1,
  );

  const width = Math.max(2, String(assignments.length).length);
  const cells = origins.map(({ assignments: a, include }, i): CellSpec => {
    const index = i + 1;
    const parts = columns.map((c) =>
      c in a ? `${shortName(c)}-${slugText(showValue(redactOverride(c, a[c])))}` : `${shortName(c)}-base`,
    );
    const slug = [String(index).padStart(width, "0"), ...parts].join("-").slice(0, 100).replace(/-+$/, "");
    return { index, slug, assignments: a, ...(include === undefined ? {} : { include }) };
  });
  return { columns, fixed, cells };
}

function shortName(pathText: string): string {
  try {
    const last = parsePath(pathText)
      .filter((s): s is string => typeof s === "string")
      .at(-1);
    return slugText(last ?? pathText);
  } catch {
    return slugText(pathText);
  }
}

function slugText(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 24) || "x"
  );
}

/** Equality key for parameter values: JSON with sorted mapping keys. */
export function valueKey(value: ParameterValue): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** A value as a person would write it: `sync`, `1s`, `3`, `{"a":1}`. */
export function showValue(value: ParameterValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return JSON.stringify(value);
}

/**
 * The value a cell gives a column, or `base` where the cell leaves the base drill's value; an app.env
 * value or a URL password is shown redacted (labels reach the console, CI logs and matrix.md).
 */
export function columnValue(assignments: Record<string, ParameterValue>, column: string): string {
  return column in assignments ? showValue(redactOverride(column, assignments[column])) : "base";
}

/** `cell 3 (database.replication=sync, controller.mode=dns)`; a path the cell leaves at the base is `=base`. */
export function cellLabel(cell: Pick<CellSpec, "index" | "assignments">, columns: readonly string[]): string {
  if (columns.length === 0) return `cell ${cell.index}`;
  const values = columns.map((c) => `${c}=${columnValue(cell.assignments, c)}`);
  return `cell ${cell.index} (${values.join(", ")})`;
}
