// Matrix file -> every cell as a validated drill. Like a drill file, a matrix is checked as a whole
// before anything starts: every cell's drill goes through the normal drill loader, and a cell the
// loader rejects is named with the parameter value that broke it.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import {
  DRILL_NAME,
  DrillValidationError,
  formatProblem,
  parseDrill,
  type DrillOverrides,
  type DrillProblem,
} from "../drill/load.ts";
import { syntaxProblem } from "../drill/problems.ts";
import { DrillReader, type Field } from "../drill/reader.ts";
import { closest } from "../drill/suggest.ts";
import type { Drill } from "../drill/types.ts";
import { formatPath, ParameterPathError, parsePath, setPath, type PathSegment } from "./path.ts";
import type {
  CellSpec,
  MatrixPlan,
  MatrixSpec,
  Parameter,
  ParameterValue,
  PlannedCell,
  SourcePos,
} from "./types.ts";

const MATRIX_FIELDS = ["name", "description", "base", "repeat", "parameters", "exclude", "include"];

/** Every problem found in a matrix file or in the drills its cells make; nothing was started. */
export class MatrixValidationError extends Error {
  override readonly name = "MatrixValidationError";
  constructor(readonly problems: DrillProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${problems[0]?.file ?? "matrix"}: ${count}\n${problems.map(formatProblem).join("\n")}`);
  }
}

/** Reads the matrix file and its base drill, and validates every cell. */
/** `overrides` (e.g. --platform) apply to the base drill and every cell, over what the files say. */
export async function loadMatrix(file: string, overrides: DrillOverrides = {}): Promise<MatrixPlan> {
  const text = await readText(file, () => ({ file, path: "", message: "cannot read the matrix file" }));
  const spec = parseMatrix(text, file);
  const baseText = await readText(spec.basePath, () => ({
    file,
    ...spec.positions.base,
    path: "base",
    message: `cannot read the base drill ${spec.basePath}`,
  }));
  return planMatrix(spec, baseText, overrides);
}

async function readText(file: string, problem: () => DrillProblem): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : (err as Error).message;
    const p = problem();
    throw new MatrixValidationError([{ ...p, message: `${p.message}: ${reason}` }]);
  }
}

/** Pure: the matrix file alone (the base drill is read by planMatrix). */
export function parseMatrix(text: string, file: string): MatrixSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ""), {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  if (doc.errors.length > 0) {
    throw new MatrixValidationError(doc.errors.map((error) => syntaxProblem(file, lines, error)));
  }
  const r = new DrillReader(file, doc, lines);
  const pos = (field: Field | undefined): SourcePos | undefined => {
    const offset = field?.node.range?.[0];
    return offset === undefined ? undefined : r.positionOf(offset);
  };
  const toJs = (field: Field): ParameterValue => (field.node as Node).toJS(doc) as ParameterValue;

  if (doc.contents === null || r.isNull({ node: doc.contents, path: "" })) {
    r.reportAt(undefined, "", "the matrix file is empty; expected name, base and parameters");
    throw new MatrixValidationError(r.problems);
  }
  const top = r.mapping(
    { node: doc.contents, path: "" },
    "",
    undefined,
    "a mapping (name, base, parameters, ...)",
  );
  if (top === undefined) throw new MatrixValidationError(r.problems);
  for (const key of top.keys()) {
    if (MATRIX_FIELDS.includes(key)) continue;
    const guess = closest(key, MATRIX_FIELDS);
    const hint = guess === undefined ? "" : `did you mean "${guess}"? `;
    const drillHint = guess === undefined ? " (drill fields are set under parameters, by path)" : "";
    const keyField = top.keyField(key);
    if (keyField) {
      r.report(
        keyField,
        `unknown field "${key}"; ${hint}expected one of: ${MATRIX_FIELDS.join(", ")}${drillHint}`,
      );
    }
  }

  const nameField = top.require("name", "a matrix name like seed-tradeoffs");
  // A matrix name names its report directory, as a drill name does: the same rule.
  const name =
    nameField && r.pattern(nameField, DRILL_NAME, "lowercase letters, digits and hyphens (seed-tradeoffs)");
  const descriptionField = top.get("description");
  const description = descriptionField ? r.string(descriptionField) : "";
  const baseField = top.require("base", "the base drill file, relative to this file (region-outage.yaml)");
  const base = baseField && r.string(baseField);
  const repeatField = top.get("repeat");
  const repeat = repeatField ? r.integer(repeatField, 1) : 1;

  const keys: Record<string, SourcePos | undefined> = {};
  const values: Record<string, Array<SourcePos | undefined>> = {};
  const parameters = readParameters(r, top.require("parameters", PARAMETERS_EXAMPLE), toJs, pos, {
    keys,
    values,
  });
  const exclude = readExclude(r, top.get("exclude"), parameters, toJs);
  const includePositions: Array<SourcePos | undefined> = [];
  const include = readInclude(r, top.get("include"), parameters, toJs, pos, includePositions);

  if (
    r.problems.length > 0 ||
    name === undefined ||
    description === undefined ||
    base === undefined ||
    repeat === undefined ||
    parameters === undefined ||
    exclude === undefined ||
    include === undefined
  ) {
    throw new MatrixValidationError(r.problems);
  }
  const spec: MatrixSpec = {
    name,
    description,
    file,
    base,
    basePath: path.isAbsolute(base) ? base : path.join(path.dirname(file), base),
    repeat,
    parameters,
    exclude,
    include,
    positions: { ...(baseField && { base: pos(baseField) }), keys, values, include: includePositions },
  };
  const { cells } = expandCells(spec);
  if (cells.length === 0) {
    r.reportAt(top.keyField("exclude")?.node.range?.[0], "exclude", "excludes every cell; nothing would run");
  }
  const seen = new Map<string, number>();
  for (const cell of cells) {
    // valueKey sorts mapping keys, so the order a cell's paths were set in does not matter.
    const key = valueKey(cell.assignments);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, cell.index);
    } else if (cell.include !== undefined) {
      // Grid cells differ by construction, so a repeat is always an include entry.
      const at = includePositions[cell.include];
      r.problems.push({
        file,
        ...at,
        path: `include[${cell.include}]`,
        message: `repeats cell ${first} (${Object.entries(cell.assignments)
          .map(([k, v]) => `${k}=${showValue(v)}`)
          .join(", ")}); remove one`,
      });
    }
  }
  if (r.problems.length > 0) throw new MatrixValidationError(r.problems);
  return spec;
}

const PARAMETERS_EXAMPLE =
  "a mapping of drill field paths to lists of values, like database.replication: [async, sync]";

function readParameters(
  r: DrillReader,
  field: Field | undefined,
  toJs: (f: Field) => ParameterValue,
  pos: (f: Field) => SourcePos | undefined,
  positions: Pick<MatrixSpec["positions"], "keys" | "values">,
): Parameter[] | undefined {
  if (field === undefined) return undefined;
  const m = r.mapping(field, "parameters", undefined, PARAMETERS_EXAMPLE);
  if (m === undefined) return undefined;
  if (m.keys().length === 0) {
    r.report(field, `expected at least one parameter; ${PARAMETERS_EXAMPLE}`);
    return undefined;
  }
  const parameters: Parameter[] = [];
  let complete = true;
  for (const key of m.keys()) {
    const keyField = m.keyField(key) as Field;
    let segments: PathSegment[];
    try {
      segments = parsePath(key);
    } catch (err) {
      if (!(err instanceof ParameterPathError)) throw err;
      r.report(keyField, err.message);
      complete = false;
      continue;
    }
    const overlap = parameters.find((p) => overlaps(p.segments, segments));
    if (overlap) {
      r.report(keyField, `overlaps parameter "${overlap.path}"; each parameter must set a different field`);
      complete = false;
      continue;
    }
    const valueField = m.require(key, "a list of values, like [async, sync]");
    if (valueField === undefined) {
      complete = false;
      continue;
    }
    // A list holds the alternatives; anything else is the one value, set in every cell.
    const items = isSeq(valueField.node) ? r.sequence(valueField) : [valueField];
    if (items === undefined) return undefined;
    if (items.length === 0) {
      r.report(valueField, "expected at least one value");
      complete = false;
      continue;
    }
    const values: ParameterValue[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const value = toJs(item);
      if (seen.has(valueKey(value))) {
        r.report(item, `value ${showValue(value)} is listed twice`);
        complete = false;
      }
      seen.add(valueKey(value));
      values.push(value);
    }
    positions.keys[key] = pos(keyField);
    positions.values[key] = items.map(pos);
    parameters.push({ path: key, segments, values });
  }
  return complete ? parameters : undefined;
}

/** One path is a prefix of the other (or they are equal): they would set the same field. */
function overlaps(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The parameter a path names, however it is spelt (`dns.ttl`, `dns["ttl"]`). */
function findParameter(parameters: readonly Parameter[], key: string): Parameter | undefined {
  let canonical: string;
  try {
    canonical = formatPath(parsePath(key));
  } catch {
    return undefined;
  }
  return parameters.find((p) => formatPath(p.segments) === canonical);
}

function readExclude(
  r: DrillReader,
  field: Field | undefined,
  parameters: Parameter[] | undefined,
  toJs: (f: Field) => ParameterValue,
): Array<Record<string, ParameterValue>> | undefined {
  if (field === undefined) return [];
  const items = r.sequence(field);
  if (items === undefined) return undefined;
  const exclude: Array<Record<string, ParameterValue>> = [];
  for (const item of items) {
    const m = r.mapping(item, "exclude[]", undefined, "a mapping of parameter paths to values");
    if (m === undefined) continue;
    if (m.keys().length === 0) {
      r.report(item, "expected at least one parameter: value pair");
      continue;
    }
    if (parameters === undefined) continue;
    const entry: Record<string, ParameterValue> = {};
    for (const key of m.keys()) {
      const keyField = m.keyField(key) as Field;
      const parameter = findParameter(parameters, key);
      if (parameter === undefined) {
        const guess = closest(
          key,
          parameters.map((p) => p.path),
        );
        r.report(
          keyField,
          `"${key}" is not a parameter; ${guess ? `did you mean "${guess}"? ` : ""}expected one of: ${parameters.map((p) => p.path).join(", ")}`,
        );
        continue;
      }
      const valueField = m.require(key, `one of the values of ${parameter.path}`);
      if (valueField === undefined) continue;
      const value = toJs(valueField);
      if (!parameter.values.some((v) => valueKey(v) === valueKey(value))) {
        r.report(
          valueField,
          `${showValue(value)} is not a value of ${parameter.path} (${parameter.values.map(showValue).join(", ")}), so this excludes nothing`,
        );
        continue;
      }
      entry[parameter.path] = value;
    }
    exclude.push(entry);
  }
  return exclude;
}

function readInclude(
  r: DrillReader,
  field: Field | undefined,
  parameters: Parameter[] | undefined,
  toJs: (f: Field) => ParameterValue,
  pos: (f: Field) => SourcePos | undefined,
  positions: Array<SourcePos | undefined>,
): Array<Record<string, ParameterValue>> | undefined {
  if (field === undefined) return [];
  const items = r.sequence(field);
  if (items === undefined) return undefined;
  const include: Array<Record<string, ParameterValue>> = [];
  for (const item of items) {
    const m = r.mapping(item, "include[]", undefined, "a mapping of drill field paths to values");
    if (m === undefined) continue;
    if (m.keys().length === 0) {
      r.report(item, "expected at least one path: value pair");
      continue;
    }
    const entry: Record<string, ParameterValue> = {};
    for (const key of m.keys()) {
      const keyField = m.keyField(key) as Field;
      try {
        parsePath(key);
      } catch (err) {
        if (!(err instanceof ParameterPathError)) throw err;
        r.report(keyField, err.message);
        continue;
      }
      const valueField = m.require(key, "a value");
      if (valueField === undefined) continue;
      // Spelt as the parameter is, so columns and exclusions line up.
      entry[(parameters && findParameter(parameters, key)?.path) ?? key] = toJs(valueField);
    }
    include.push(entry);
    positions.push(pos(item));
  }
  return include;
}

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
      c in a ? `${shortName(c)}-${slugText(showValue(a[c]))}` : `${shortName(c)}-base`,
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
function valueKey(value: ParameterValue): string {
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

/** The value a cell gives a column, or `base` where the cell leaves the base drill's value. */
export function columnValue(assignments: Record<string, ParameterValue>, column: string): string {
  return column in assignments ? showValue(assignments[column]) : "base";
}

/** `cell 3 (database.replication=sync, controller.mode=dns)`; a path the cell leaves at the base is `=base`. */
export function cellLabel(cell: Pick<CellSpec, "index" | "assignments">, columns: readonly string[]): string {
  if (columns.length === 0) return `cell ${cell.index}`;
  const values = columns.map((c) => `${c}=${columnValue(cell.assignments, c)}`);
  return `cell ${cell.index} (${values.join(", ")})`;
}

/** Pure: applies every cell to the base drill's text and validates each result with the drill loader. */
export function planMatrix(spec: MatrixSpec, baseText: string, overrides: DrillOverrides = {}): MatrixPlan {
  let baseDrill: Drill;
  try {
    baseDrill = parseDrill(baseText, spec.basePath, overrides);
  } catch (err) {
    if (!(err instanceof DrillValidationError)) throw err;
    throw new MatrixValidationError(err.problems);
  }
  const baseDoc = parseDocument(baseText.replace(/^\uFEFF/, ""));
  const { columns, fixed, cells } = expandCells(spec);
  const problems = new ProblemGroups(spec.file, cells.length);
  const planned: PlannedCell[] = [];
  for (const cell of cells) {
    const label = cellLabel(cell, columns);
    const where = (parameterPath: string, of: "key" | "value" = "value"): SourcePos | undefined =>
      whereIs(spec, cell, parameterPath, of);
    const doc = baseDoc.clone() as Document;
    let applied = true;
    for (const [key, value] of Object.entries(cell.assignments)) {
      try {
        setPath(doc, parsePath(key), value);
      } catch (err) {
        if (!(err instanceof ParameterPathError)) throw err;
        problems.add(where(key, "key"), label, `${key}: ${err.message} in ${spec.base}`);
        applied = false;
      }
    }
    if (!applied) continue;
    try {
      planned.push({ ...cell, drill: parseDrill(String(doc), spec.basePath, overrides) });
    } catch (err) {
      if (!(err instanceof DrillValidationError)) throw err;
      for (const p of err.problems) {
        const keys = Object.keys(cell.assignments);
        const parameter =
          keys.find((key) => {
            const prefix = formatPath(parsePath(key));
            return p.path === prefix || p.path.startsWith(`${prefix}.`) || p.path.startsWith(`${prefix}[`);
          }) ??
          // A problem found at another field may still name the one a parameter set ("... (workload.duration)").
          keys.find((key) => p.message.includes(formatPath(parsePath(key))));
        const message = p.path === "" ? p.message : `${p.path}: ${p.message}`;
        // An unknown field at the parameter's own path is the path's fault, whatever the value.
        const pathFault =
          parameter !== undefined &&
          p.path === formatPath(parsePath(parameter)) &&
          p.message.startsWith("unknown field");
        if (parameter !== undefined)
          problems.add(where(parameter, pathFault ? "key" : "value"), label, message);
        else problems.add(undefined, label, `${message} (in ${spec.base} with this cell's values)`);
      }
    }
  }
  if (!problems.empty) throw new MatrixValidationError(problems.list());
  return { spec, baseDrill, columns, fixed, cells: planned };
}

/** Where the value a cell took for a path is written: its include entry, or the parameter's list item. */
function whereIs(
  spec: MatrixSpec,
  cell: CellSpec,
  parameterPath: string,
  of: "key" | "value",
): SourcePos | undefined {
  if (cell.include !== undefined && parameterPath in (spec.include[cell.include] ?? {})) {
    return spec.positions.include[cell.include];
  }
  if (of === "key") return spec.positions.keys[parameterPath];
  const parameter = spec.parameters.find((p) => p.path === parameterPath);
  if (parameter === undefined) return undefined;
  const i = parameter.values.findIndex((v) => valueKey(v) === valueKey(cell.assignments[parameterPath]));
  return spec.positions.values[parameterPath]?.[i];
}

/** The same problem in many cells (a rejected value is in every cell that has it) is reported once. */
class ProblemGroups {
  private readonly groups = new Map<
    string,
    { pos: SourcePos | undefined; first: string; more: number; message: string }
  >();
  constructor(
    private readonly file: string,
    private readonly cellCount: number,
  ) {}

  add(pos: SourcePos | undefined, cellLabelText: string, message: string): void {
    const key = `${pos?.line}:${pos?.column}|${message}`;
    const group = this.groups.get(key);
    if (group) group.more++;
    else this.groups.set(key, { pos, first: cellLabelText, more: 0, message });
  }

  get empty(): boolean {
    return this.groups.size === 0;
  }

  private which(first: string, more: number): string {
    if (more === 0) return first;
    if (more + 1 === this.cellCount) return `every cell (${this.cellCount})`;
    return `${first} and ${more} more cell${more === 1 ? "" : "s"}`;
  }

  list(): DrillProblem[] {
    return [...this.groups.values()].map((g) => ({
      file: this.file,
      ...g.pos,
      path: "",
      message: `${this.which(g.first, g.more)}: ${g.message}`,
    }));
  }
}
