// Every entry of a suite made into what it runs: a drill, or a matrix plan, each with the entry's
// overrides applied and validated by the normal loaders. Problems in a named file keep that file's
// own positions; problems an override causes point at the override in the suite file.
import { DrillValidationError, formatProblem, parseDrill, type DrillOverrides } from "../drill/load.ts";
import { MAX_RUNS, MAX_RUNS_REASON } from "../drill/limits.ts";
import { fieldPath, type DrillProblem } from "../drill/problems.ts";
import { MatrixValidationError, parseMatrix, planMatrix } from "../matrix/load.ts";
import { formatPath, parsePath } from "../matrix/path.ts";
import type { MatrixSpec } from "../matrix/types.ts";
import { overlaps } from "./format.ts";
import { applyOverrides, entryPath, parseOverridden, type EntryAt } from "./overrides.ts";
import type { PlannedEntry, SuiteEntrySpec, SuitePlan, SuiteSpec } from "./types.ts";

/** Every problem found in a suite file or in the files it names; nothing was started. */
export class SuiteValidationError extends Error {
  override readonly name = "SuiteValidationError";
  constructor(readonly problems: DrillProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${problems[0]?.file ?? "suite"}: ${count}\n${problems.map(formatProblem).join("\n")}`);
  }
}

/** Reads a file's text; throws (as readFile does) when it cannot. */
export type ReadText = (file: string) => Promise<string>;

/** Validates every entry with its overrides (and `cli`, e.g. --platform) applied; reads through `read`. */
export async function planSuite(
  spec: SuiteSpec,
  read: ReadText,
  cli: DrillOverrides = {},
): Promise<SuitePlan> {
  const problems: DrillProblem[] = [];
  const entries: PlannedEntry[] = [];
  for (const entry of spec.entries) {
    const at: EntryAt = { suiteFile: spec.file, entry };
    const planned =
      entry.kind === "drill"
        ? await planDrill(entry, at, read, cli, problems)
        : await planMatrixEntry(entry, at, read, cli, problems);
    if (planned !== undefined) entries.push(planned);
  }
  problems.push(...nameProblems(spec, entries));
  const runs = plannedRuns({ spec, entries });
  if (runs > MAX_RUNS) {
    problems.push({
      file: spec.file,
      ...spec.namePos,
      path: "entries",
      message: `plan ${runs} drill runs; at most ${MAX_RUNS} (${MAX_RUNS_REASON})`,
    });
  }
  if (problems.length > 0) throw new SuiteValidationError(problems);
  return { spec, entries };
}

async function readOr(
  read: ReadText,
  file: string,
  problems: DrillProblem[],
  problem: (reason: string) => DrillProblem,
): Promise<string | undefined> {
  try {
    return await read(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push(problem(code === "ENOENT" ? "no such file" : (err as Error).message));
    return undefined;
  }
}

async function planDrill(
  entry: SuiteEntrySpec,
  at: EntryAt,
  read: ReadText,
  cli: DrillOverrides,
  problems: DrillProblem[],
): Promise<PlannedEntry | undefined> {
  const text = await readOr(read, entry.path, problems, (why) => ({
    file: at.suiteFile,
    ...entry.filePos,
    path: `${entryPath(entry)}.drill`,
    message: `cannot read the drill file ${entry.path}: ${why}`,
  }));
  if (text === undefined) return undefined;
  // The file on its own first: its problems keep its own lines and columns.
  try {
    parseDrill(text, entry.path, cli);
  } catch (err) {
    if (!(err instanceof DrillValidationError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
  // Overrides whose path leads nowhere are reported; the others are still checked by the loader.
  const applied = applyOverrides(text, entry.overrides, at, entry.name);
  const { drill, problems: found } = parseOverridden(applied.text, entry.path, at, cli);
  problems.push(...applied.problems, ...found);
  if (drill === undefined || applied.problems.length > 0) return undefined;
  return { ...entry, kind: "drill", name: drill.name, drill };
}

async function planMatrixEntry(
  entry: SuiteEntrySpec,
  at: EntryAt,
  read: ReadText,
  cli: DrillOverrides,
  problems: DrillProblem[],
): Promise<PlannedEntry | undefined> {
  const text = await readOr(read, entry.path, problems, (why) => ({
    file: at.suiteFile,
    ...entry.filePos,
    path: `${entryPath(entry)}.matrix`,
    message: `cannot read the matrix file ${entry.path}: ${why}`,
  }));
  if (text === undefined) return undefined;
  let spec: MatrixSpec;
  try {
    spec = parseMatrix(text, entry.path);
  } catch (err) {
    if (!(err instanceof MatrixValidationError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
  spec = { ...spec, name: entry.name ?? spec.name, repeat: entry.repeat ?? spec.repeat };
  // An override of a field the matrix varies would be overwritten in every cell.
  const varied = [...spec.parameters.map((p) => p.path), ...spec.include.flatMap((i) => Object.keys(i))];
  let clash = false;
  for (const o of entry.overrides) {
    const parameter = varied.find((v) => overlaps(parsePath(v), parsePath(o.path)));
    if (parameter === undefined) continue;
    clash = true;
    const same = formatPath(parsePath(parameter)) === formatPath(parsePath(o.path));
    problems.push({
      file: at.suiteFile,
      ...o.keyPos,
      path: fieldPath(`${entryPath(entry)}.set`, o.path),
      message:
        `${same ? "is" : `overlaps "${parameter}",`} a parameter of the matrix ${entry.file}, which sets it ` +
        "in its cells; remove the override or change the matrix",
    });
  }
  const baseText = await readOr(read, spec.basePath, problems, (why) => ({
    file: entry.path,
    ...spec.positions.base,
    path: "base",
    message: `cannot read the base drill ${spec.basePath}: ${why}`,
  }));
  if (baseText === undefined || clash) return undefined;
  try {
    parseDrill(baseText, spec.basePath, cli);
  } catch (err) {
    if (!(err instanceof DrillValidationError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
  const applied = applyOverrides(baseText, entry.overrides, at);
  const { drill, problems: found } = parseOverridden(applied.text, spec.basePath, at, cli);
  problems.push(...applied.problems, ...found);
  if (drill === undefined || applied.problems.length > 0) return undefined;
  try {
    const plan = planMatrix(spec, applied.text, cli);
    return { ...entry, kind: "matrix", name: spec.name, plan };
  } catch (err) {
    if (!(err instanceof MatrixValidationError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
}

/**
 * Each entry's reports and trend store are reports/<its name>/, and the suite's own are
 * reports/<suite name>/: two entries with one name, or an entry named as the suite, would share one.
 */
function nameProblems(spec: SuiteSpec, entries: readonly PlannedEntry[]): DrillProblem[] {
  const problems: DrillProblem[] = [];
  const first = new Map<string, PlannedEntry>();
  for (const e of entries) {
    const earlier = first.get(e.name);
    if (earlier === undefined) {
      first.set(e.name, e);
      if (e.name === spec.name) {
        problems.push({
          file: spec.file,
          ...spec.namePos,
          path: "name",
          message:
            `the suite is named "${spec.name}" as ${entryPath(e)} is, so both would write reports/${spec.name}/; ` +
            "rename the suite or give the entry a name",
        });
      }
      continue;
    }
    problems.push({
      file: spec.file,
      ...(e.namePos ?? e.filePos),
      path: e.namePos === undefined ? entryPath(e) : `${entryPath(e)}.name`,
      message:
        `runs under the name "${e.name}" as ${entryPath(earlier)} does; give it its own name ` +
        "(name: ...) so its reports and trend store are its own",
    });
  }
  return problems;
}

/** How many drill runs a plan makes: one per drill entry, cells x repeat per matrix. */
export function plannedRuns(plan: SuitePlan): number {
  return plan.entries.reduce(
    (n, e) => n + (e.kind === "drill" ? 1 : e.plan.cells.length * e.plan.spec.repeat),
    0,
  );
}
