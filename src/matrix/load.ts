// Matrix file -> every cell as a validated drill. Like a drill file, a matrix is checked as a whole
// before anything starts: every cell's drill goes through the normal drill loader, and a cell the
// loader rejects is named with the parameter value that broke it. The format is defined in format.ts,
// the cells in cells.ts, their validation in plan.ts.
import path from "node:path";
import type { DrillOverrides, DrillProblem } from "../drill/load.ts";
import type { Field } from "../drill/reader.ts";
import { MAX_RUNS, MAX_RUNS_REASON } from "../drill/limits.ts";
import { readTopLevel } from "../drill/top-level.ts";
import { readBoundedText } from "../drill/yaml-guard.ts";
import { expandCells, showValue, valueKey } from "./cells.ts";
import { MATRIX_EXPECTED, MATRIX_FIELDS, MATRIX_FORMAT, type MatrixContext } from "./format.ts";
import { MatrixValidationError, planMatrix } from "./plan.ts";
import type { MatrixPlan, MatrixSpec, ParameterValue } from "./types.ts";

export { cellLabel, columnValue, expandCells, showValue } from "./cells.ts";
export { MatrixValidationError, planMatrix } from "./plan.ts";

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
    return await readBoundedText(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : (err as Error).message;
    const p = problem();
    throw new MatrixValidationError([{ ...p, message: `${p.message}: ${reason}` }]);
  }
}

/** Pure: the matrix file alone (the base drill is read by planMatrix). */
export function parseMatrix(text: string, file: string): MatrixSpec {
  const topLevel = readTopLevel(text, file, {
    fields: MATRIX_FIELDS,
    expected: MATRIX_EXPECTED,
    empty: "the matrix file is empty; expected name, base and parameters",
    unknownHint: " (drill fields are set under parameters, by path)",
    fail: (problems) => new MatrixValidationError(problems),
  });
  const { reader: r, top, pos } = topLevel;
  const toJs = (field: Field): ParameterValue => topLevel.toJs(field) as ParameterValue;

  const context: MatrixContext = { toJs, pos, positions: { keys: {}, values: {}, include: [] } };
  const { value, read } = MATRIX_FORMAT.readMapping(top, { reader: r, level: "", context });
  if (r.problems.length > 0 || value === undefined) throw new MatrixValidationError(r.problems);
  const { name, description, base, repeat, parameters, exclude, include } = value;
  const baseField = read.fields["base"];
  const { keys, values, include: includePositions } = context.positions;
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
  // Counted before the grid is built: ten parameters of ten values are ten billion cells.
  const gridCells = parameters.reduce((n, p) => n * Math.max(1, p.values.length), 1) + include.length;
  if (gridCells * repeat > MAX_RUNS) {
    r.reportAt(
      top.keyField("parameters")?.node.range?.[0],
      "parameters",
      `make ${gridCells} cells x repeat ${repeat} = ${gridCells * repeat} runs (before exclusions); ` +
        `at most ${MAX_RUNS} runs (${MAX_RUNS_REASON})`,
    );
    throw new MatrixValidationError(r.problems);
  }
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
