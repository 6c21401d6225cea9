// Every cell of a matrix applied to the base drill's text and validated by the drill loader; a
// problem is reported at the matrix value that caused it, once for all the cells that share it.
import { parseDocument, type Document } from "yaml";
import {
  DrillValidationError,
  formatProblem,
  parseDrill,
  type DrillOverrides,
  type DrillProblem,
} from "../drill/load.ts";
import type { Drill } from "../drill/types.ts";
import { cellLabel, expandCells, valueKey } from "./cells.ts";
import { formatPath, ParameterPathError, parsePath, setPath } from "./path.ts";
import type { CellSpec, MatrixPlan, MatrixSpec, PlannedCell, SourcePos } from "./types.ts";

/** Every problem found in a matrix file or in the drills its cells make; nothing was started. */
export class MatrixValidationError extends Error {
  override readonly name = "MatrixValidationError";
  constructor(readonly problems: DrillProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${problems[0]?.file ?? "matrix"}: ${count}\n${problems.map(formatProblem).join("\n")}`);
  }
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
