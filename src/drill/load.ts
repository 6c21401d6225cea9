// Drill file -> validated, normalised Drill. Everything is checked before anything starts, and every
// problem is reported (file:line:column, field path, what was expected), not just the first. What a
// drill may contain is defined once in src/drill/format/; this file parses the YAML and runs it.
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { DrillContext, DrillOverrides } from "./format/context.ts";
import { DRILL_CATALOGUE, DRILL_FORMAT } from "./format/drill.ts";
import { DrillValidationError, syntaxProblem, type DrillProblem } from "./problems.ts";
import { DrillReader } from "./reader.ts";
import type { Drill } from "./types.ts";
import { checkYamlAliases, checkYamlText, readBoundedText } from "./yaml-guard.ts";

export { DrillValidationError, formatProblem, type DrillProblem } from "./problems.ts";
export { formatDuration, parseDuration } from "./duration.ts";
export type { DrillOverrides } from "./format/context.ts";
export { APP_TEMPLATE_VARIABLES, ENV_NAME } from "./format/app.ts";
export { DRILL_NAME, IMAGE_REF, REGION_NAME } from "./format/common.ts";
export { SETTING_NAME } from "./format/database.ts";
export { MAX_REGIONS } from "./format/regions.ts";
export { DNS_NAME, MAX_RETRY_ATTEMPTS } from "./format/workload.ts";

export async function loadDrill(file: string, overrides: DrillOverrides = {}): Promise<Drill> {
  let text: string;
  try {
    text = await readBoundedText(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new DrillValidationError([{ file, path: "", message: `cannot read the drill file: ${reason}` }]);
  }
  return parseDrill(text, file, overrides);
}

/**
 * Pure apart from resolving `file` against the working directory (app.workingDir is the drill file's
 * directory): text in, Drill out, or a DrillValidationError listing every problem.
 */
export function parseDrill(text: string, file: string, overrides: DrillOverrides = {}): Drill {
  const lines = new LineCounter();
  const source = text.replace(/^\uFEFF/, "");
  const bounds = checkYamlText(source, file);
  if (bounds) throw new DrillValidationError([bounds]);
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // The tree after a syntax error is a guess; report the syntax and nothing built on it.
    // Only the first error on a line: the parser's follow-up errors there are echoes of it.
    const firstPerLine = doc.errors.filter(
      (error, i) =>
        doc.errors.findIndex((e) => lines.linePos(e.pos[0]).line === lines.linePos(error.pos[0]).line) === i,
    );
    const hint = (line: number): string => quoteHint(source.split("\n")[line - 1] ?? "");
    throw new DrillValidationError(firstPerLine.map((error) => syntaxProblem(file, lines, error, hint)));
  }
  const bomb = checkYamlAliases(doc, file);
  if (bomb) throw new DrillValidationError([bomb]);
  const reader = new DrillReader(file, doc, lines, DRILL_CATALOGUE);
  const context: DrillContext = { overrides, workingDir: dirname(resolve(file)) };
  let drill: Drill | undefined;
  if (doc.contents === null || reader.isNull({ node: doc.contents, path: "" })) {
    reader.reportAt(
      undefined,
      "",
      "the drill file is empty; expected a mapping with at least name and regions",
    );
  } else {
    drill = DRILL_FORMAT.read({ node: doc.contents, path: "" }, { reader, level: "", context });
  }
  if (reader.problems.length > 0) throw new DrillValidationError(sortByPosition(reader.problems));
  // Every path that gives up records a problem first; reaching this is a bug in the loader.
  if (drill === undefined) throw new Error(`${file}: drill rejected without a reported problem`);
  return drill;
}

/**
 * `rto.max: >= 2s` is a YAML block scalar and `!= 0` a tag: objectives must be quoted. `{{PORT}}` in
 * a flow list or mapping is flow syntax: templates must be quoted.
 */
function quoteHint(line: string): string {
  const match = /^\s*[\w.-]+:\s*([<>!=]=?\s*[^"'\s].*?)\s*$/.exec(line);
  if (match) return ` (quote objective expressions: "${match[1]}")`;
  const template = /\{\{\s*[^{}]*?\s*\}\}/.exec(line);
  return template ? ` (quote text with templates: "...${template[0]}...")` : "";
}

function sortByPosition(problems: DrillProblem[]): DrillProblem[] {
  const key = (p: DrillProblem) => (p.line ?? 0) * 1e6 + (p.column ?? 0);
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => key(a.p) - key(b.p) || a.i - b.i)
    .map(({ p }) => p);
}
