// What a drill file got wrong, with enough location to fix it without guessing.
import type { LineCounter, YAMLError } from "yaml";

export interface DrillProblem {
  file: string;
  /** 1-based; absent when the problem has no place in the file (e.g. the file is missing). */
  line?: number;
  column?: number;
  /** Field path like `faults[0].region`; "" for the document as a whole. */
  path: string;
  message: string;
}

/** `drills/x.yaml:12:7 faults[0].region: unknown region "us-wst"; expected one of: us-east, eu-west` */
export function formatProblem(p: DrillProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
  return p.path === "" ? `${where} ${p.message}` : `${where} ${p.path}: ${p.message}`;
}

/** Every problem found in one drill file; the drill is rejected as a whole, before anything starts. */
export class DrillValidationError extends Error {
  override readonly name = "DrillValidationError";
  constructor(readonly problems: DrillProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const file = problems[0]?.file ?? "drill";
    super(`${file}: ${count}\n${problems.map(formatProblem).join("\n")}`);
  }
}

/** Appends `.key` (or `["key"]` when the key is not identifier-like, as metric names with dots). */
export function fieldPath(base: string, key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === "" ? key : `${base}.${key}`;
}

export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

/** A YAML syntax error at its line and column; the parser's own "at line L, column C:" excerpt is dropped. */
export function syntaxProblem(
  file: string,
  lines: LineCounter,
  error: YAMLError,
  hint: (line: number) => string = () => "",
): DrillProblem {
  const pos = lines.linePos(error.pos[0]);
  const line = Math.max(1, pos.line);
  const message = error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "");
  return {
    file,
    line,
    column: Math.max(1, pos.col),
    path: "",
    message: `YAML syntax error: ${message}${hint(line)}`,
  };
}
