// Suite file -> every entry as a validated drill or matrix plan. Like a drill or a matrix, a suite is
// checked as a whole before anything starts: every problem, in the suite file or in the files it
// names (with its overrides applied), is reported at once. The format is defined in format.ts, the
// entries' validation in plan.ts.
import path from "node:path";
import { isMap, parseDocument } from "yaml";
import type { DrillOverrides } from "../drill/load.ts";
import { MAX_RUNS_REASON, MAX_SUITE_ENTRIES } from "../drill/limits.ts";
import { readTopLevel } from "../drill/top-level.ts";
import { checkYamlText, readBoundedText } from "../drill/yaml-guard.ts";
import { SUITE_EXPECTED, SUITE_FIELDS, SUITE_FORMAT, type SuiteContext } from "./format.ts";
import { planSuite, SuiteValidationError } from "./plan.ts";
import type { SuitePlan, SuiteSpec } from "./types.ts";

export { plannedRuns, planSuite, SuiteValidationError, type ReadText } from "./plan.ts";

/** Reads the suite file and every file it names, and validates every entry. */
export async function loadSuite(file: string, overrides: DrillOverrides = {}): Promise<SuitePlan> {
  let text: string;
  try {
    text = await readBoundedText(file);
  } catch (err) {
    throw new SuiteValidationError([
      { file, path: "", message: `cannot read the suite file: ${reason(err)}` },
    ]);
  }
  return planSuite(parseSuite(text, file), readTextFile, overrides);
}

async function readTextFile(file: string): Promise<string> {
  return readBoundedText(file);
}

function reason(err: unknown): string {
  return (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
}

/** Pure: the suite file alone (the files it names are read by planSuite). */
export function parseSuite(text: string, file: string): SuiteSpec {
  const {
    reader: r,
    top,
    pos,
    toJs,
  } = readTopLevel(text, file, {
    fields: SUITE_FIELDS,
    expected: SUITE_EXPECTED,
    empty: "the suite file is empty; expected name and entries",
    unknownHint: " (drill fields are set per entry, under set)",
    fail: (problems) => new SuiteValidationError(problems),
  });
  const context: SuiteContext = { toJs, pos, dir: path.dirname(file) };
  const { value, read } = SUITE_FORMAT.readMapping(top, { reader: r, level: "", context });
  if (value !== undefined && value.entries.length > MAX_SUITE_ENTRIES) {
    r.reportAt(
      top.keyField("entries")?.node.range?.[0],
      "entries",
      `${value.entries.length} entries; at most ${MAX_SUITE_ENTRIES} (${MAX_RUNS_REASON})`,
    );
  }
  if (r.problems.length > 0 || value === undefined) throw new SuiteValidationError(r.problems);
  const namePos = pos(read.fields["name"]);
  return { ...value, file, ...(namePos && { namePos }) };
}

/** A file whose top level is a mapping with `entries` (and no `regions`): a suite, not a drill. */
export async function isSuiteFile(file: string): Promise<boolean> {
  let text: string;
  try {
    text = (await readBoundedText(file)).replace(/^\uFEFF/, "");
  } catch {
    return false;
  }
  // Keys only, never toJS: a hostile file is then reported by the loader that reads it.
  if (checkYamlText(text, file) !== undefined) return false;
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return false;
  return doc.contents.has("entries") && !doc.contents.has("regions");
}
