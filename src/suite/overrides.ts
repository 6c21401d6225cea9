// An entry's overrides (and its name) applied to a drill file's text, and the drill loader's problems
// with them traced back to the override in the suite file that caused each.
import { parseDocument, type Document } from "yaml";
import { DrillValidationError, parseDrill, type DrillOverrides, type DrillProblem } from "../drill/load.ts";
import { fieldPath } from "../drill/problems.ts";
import type { Drill } from "../drill/types.ts";
import { formatPath, ParameterPathError, parsePath, setPath } from "../matrix/path.ts";
import type { Override, SuiteEntrySpec } from "./types.ts";

/** Where problems about an entry are reported: the suite file and the entry's path in it. */
export interface EntryAt {
  suiteFile: string;
  entry: SuiteEntrySpec;
}

export function entryPath(entry: SuiteEntrySpec): string {
  return `entries[${entry.index}]`;
}

function overridePath(entry: SuiteEntrySpec, o: Override): string {
  return fieldPath(`${entryPath(entry)}.set`, o.path);
}

/**
 * The drill text with every override set, and `name` when the entry renames the drill; problems for
 * overrides whose path leads nowhere in it (an index past a list's end, a field under a scalar).
 */
export function applyOverrides(
  text: string,
  overrides: readonly Override[],
  at: EntryAt,
  name?: string,
): { text: string; problems: DrillProblem[] } {
  const doc = parseDocument(text.replace(/^\uFEFF/, "")) as Document;
  const problems: DrillProblem[] = [];
  for (const o of overrides) {
    try {
      setPath(doc, parsePath(o.path), o.value);
    } catch (err) {
      if (!(err instanceof ParameterPathError)) throw err;
      problems.push({
        file: at.suiteFile,
        ...o.keyPos,
        path: overridePath(at.entry, o),
        message: `${err.message} in ${at.entry.file}`,
      });
    }
  }
  if (name !== undefined) setPath(doc, ["name"], name);
  return { text: String(doc), problems };
}

/**
 * Parses the overridden drill text; each problem is reported at the override that caused it (its
 * value, or its key when the path names no field), else at the entry, naming the drill file.
 */
export function parseOverridden(
  text: string,
  drillFile: string,
  at: EntryAt,
  cli: DrillOverrides,
): { drill?: Drill; problems: DrillProblem[] } {
  try {
    return { drill: parseDrill(text, drillFile, cli), problems: [] };
  } catch (err) {
    if (!(err instanceof DrillValidationError)) throw err;
    return { problems: err.problems.map((p) => traced(p, at)) };
  }
}

function traced(p: DrillProblem, { suiteFile, entry }: EntryAt): DrillProblem {
  const canonical = (o: Override): string => formatPath(parsePath(o.path));
  const cause =
    entry.overrides.find((o) => {
      const prefix = canonical(o);
      return p.path === prefix || p.path.startsWith(`${prefix}.`) || p.path.startsWith(`${prefix}[`);
    }) ??
    // A problem found at another field may still name the one an override set ("... (workload.duration)").
    entry.overrides.find((o) => p.message.includes(canonical(o)));
  const what = p.path === "" ? p.message : `${p.path}: ${p.message}`;
  if (cause === undefined) {
    return {
      file: suiteFile,
      ...entry.pos,
      path: entryPath(entry),
      message: `${what} (in ${entry.file} with this entry's overrides)`,
    };
  }
  const pathFault = p.path === canonical(cause) && p.message.startsWith("unknown field");
  const message = p.path === canonical(cause) ? p.message : what;
  return {
    file: suiteFile,
    ...(pathFault ? cause.keyPos : cause.valuePos),
    path: overridePath(entry, cause),
    message: `${message} (in ${entry.file})`,
  };
}
