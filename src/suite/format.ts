// The suite file format, defined once with the schema DSL: its fields, defaults and descriptions (and
// so schema/suite.schema.json), with the readers of entries and their overrides, which keep where
// each value is written so a problem an override causes in a drill can point back at it.
import path from "node:path";
import { DRILL_NAME } from "../drill/format/common.ts";
import { MAX_REPEAT } from "../drill/limits.ts";
import type { Field } from "../drill/reader.ts";
import { optional, required, withDefault } from "../drill/schema/fields.ts";
import { list } from "../drill/schema/list.ts";
import { mapping } from "../drill/schema/mapping.ts";
import { integer, oneOf, pattern, text } from "../drill/schema/scalars.ts";
import { refine, type Scope, type ValueSpec } from "../drill/schema/spec.ts";
import { NOTIFY_ON } from "../notify/on.ts";
import { ParameterPathError, parsePath, type PathSegment } from "../matrix/path.ts";
import type { Override, SourcePos, SuiteEntrySpec } from "./types.ts";

/** What reading a suite file keeps: how to turn values into data, where they are, where the file is. */
export interface SuiteContext {
  toJs(field: Field): unknown;
  pos(field: Field | undefined): SourcePos | undefined;
  /** The suite file's directory: entry paths are relative to it. */
  dir: string;
}

function suiteContext(scope: Scope): SuiteContext {
  return scope.context as SuiteContext;
}

export const SET_EXAMPLE =
  "a mapping of drill field paths to values, like { database.replication: sync, workload.duration: 20s }";

function readOverrides(field: Field, scope: Scope): Override[] | undefined {
  const r = scope.reader;
  const { toJs, pos } = suiteContext(scope);
  const m = r.mapping(field, scope.level, undefined, SET_EXAMPLE);
  if (m === undefined) return undefined;
  const overrides: Override[] = [];
  const segments: PathSegment[][] = [];
  let complete = true;
  for (const key of m.keys()) {
    const keyField = m.keyField(key) as Field;
    let parsed: PathSegment[];
    try {
      parsed = parsePath(key);
    } catch (err) {
      if (!(err instanceof ParameterPathError)) throw err;
      r.report(keyField, err.message);
      complete = false;
      continue;
    }
    const overlap = segments.findIndex((s) => overlaps(s, parsed));
    if (overlap >= 0) {
      r.report(keyField, `overlaps "${overrides[overlap]?.path}"; each override must set a different field`);
      complete = false;
      continue;
    }
    const valueField = m.require(key, "a value, written as in a drill file");
    if (valueField === undefined) {
      complete = false;
      continue;
    }
    segments.push(parsed);
    const keyPos = pos(keyField);
    const valuePos = pos(valueField);
    overrides.push({
      path: key,
      value: toJs(valueField),
      ...(keyPos && { keyPos }),
      ...(valuePos && { valuePos }),
    });
  }
  return complete ? overrides : undefined;
}

/** One path is a prefix of the other (or they are equal): they would set the same field. */
export function overlaps(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

const OVERRIDES: ValueSpec<Override[]> = {
  read: readOverrides,
  schema: () => ({ type: "object" }),
  written: (overrides) => Object.fromEntries(overrides.map((o) => [o.path, o.value])),
};

const FILE_EXPECTED = "a file path relative to this suite file";

const ENTRY_FIELDS = mapping(
  {
    drill: optional(text(FILE_EXPECTED), {
      description: "A drill file to run, relative to this suite file. Give either drill or matrix.",
    }),
    matrix: optional(text(FILE_EXPECTED), {
      description: "A matrix file to run (every cell), relative to this suite file.",
    }),
    name: optional(pattern(DRILL_NAME, "lowercase letters, digits and hyphens (client-failover)"), {
      description:
        "Renames the drill (or matrix) for this entry, so its reports and trend store are its own " +
        "(reports/<name>/); default: the file's own name. Names are unique within a suite.",
    }),
    set: withDefault(OVERRIDES, [], {
      description:
        "Overrides applied to the drill (a matrix: to its base drill, so to every cell), by drill " +
        "field path as a matrix parameter names it: database.replication, workload.duration, " +
        'platform, faults[0].at, objectives["rto.max"].',
    }),
    repeat: optional(integer(1, MAX_REPEAT), {
      description: `Matrices only: runs per cell instead of the matrix's own repeat; at most ${MAX_REPEAT}.`,
    }),
  },
  {
    expected: "a mapping with drill: FILE or matrix: FILE",
    schema: {
      oneOf: [{ required: ["drill"] }, { required: ["matrix"] }],
      if: { required: ["drill"] },
      then: { not: { required: ["repeat"] } },
    },
  },
);

/** An entry: its fields, then the rules across them, which need the entry's own place in the file. */
const ENTRY: ValueSpec<SuiteEntrySpec> = {
  read(field, scope) {
    const r = scope.reader;
    const { pos, dir } = suiteContext(scope);
    const parts = ENTRY_FIELDS.readParts(field, scope);
    if (parts === undefined) return undefined;
    const { fields } = parts.read;
    const drillField = fields["drill"];
    const matrixField = fields["matrix"];
    let ok = parts.value !== undefined;
    if (drillField === undefined && matrixField === undefined) {
      r.report(field, "expected drill: FILE or matrix: FILE (what this entry runs)");
      ok = false;
    } else if (drillField !== undefined && matrixField !== undefined) {
      r.report(matrixField, "an entry runs one file: give drill or matrix, not both");
      ok = false;
    }
    const repeatField = fields["repeat"];
    if (repeatField !== undefined && drillField !== undefined) {
      r.report(
        repeatField,
        "repeat is for matrix entries (runs per cell); to run a drill again, list it again with another name",
      );
      ok = false;
    }
    const value = parts.value;
    if (!ok || value === undefined) return undefined;
    const kind = value.drill !== undefined ? "drill" : "matrix";
    const file = (value.drill ?? value.matrix) as string;
    const index = Number(/\[(\d+)\]$/.exec(field.path)?.[1] ?? 0);
    const entryPos = pos(field);
    const filePos = pos(drillField ?? matrixField);
    const namePos = pos(fields["name"]);
    return {
      index,
      kind,
      file,
      path: path.isAbsolute(file) ? file : path.join(dir, file),
      ...(value.name === undefined ? {} : { name: value.name }),
      overrides: value.set,
      ...(value.repeat === undefined ? {} : { repeat: value.repeat }),
      ...(entryPos && { pos: entryPos }),
      ...(filePos && { filePos }),
      ...(namePos && { namePos }),
    };
  },
  schema: (builder) => ENTRY_FIELDS.schema(builder),
  levels: (label) => ENTRY_FIELDS.levels?.(label) ?? [],
};

/** What a suite file that is not a mapping is told it should be. */
export const SUITE_EXPECTED = "a mapping (name, description, out, entries)";

export const ENTRIES_EXPECTED =
  "a list of entries, each drill: FILE or matrix: FILE (relative to this file), like - drill: region-outage.yaml";

/** An http(s) URL: what a webhook is. */
const WEBHOOK_URL = refine(text("an http:// or https:// URL"), (url, field, { reader }) => {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    reader.report(field, `expected an http:// or https:// URL, got ${JSON.stringify(url)}`);
    return undefined;
  }
  if (protocol === "http:" || protocol === "https:") return url;
  reader.report(field, `expected an http:// or https:// URL, got ${protocol}`);
  return undefined;
});

const NOTIFY = mapping(
  {
    url: required(WEBHOOK_URL, "an http:// or https:// URL", {
      description: "Where the suite's JSON summary is POSTed (--notify overrides it).",
    }),
    on: withDefault(oneOf(NOTIFY_ON), "failure", {
      description:
        "failure: the suite did not pass; regression: that, or a drill's trend store flags a regression; " +
        "always (--notify-on overrides it).",
    }),
  },
  { description: "A webhook told about the suite's outcome; a failed POST never changes the exit code." },
);

export const SUITE_FORMAT = mapping(
  {
    // The suite's name names its report directory, as a drill's does: the same rule.
    name: required(
      pattern(DRILL_NAME, "lowercase letters, digits and hyphens (weekly)"),
      "a suite name like weekly",
      { description: "Suite name, used in report paths (reports/<name>/<timestamp>/)." },
    ),
    description: withDefault(text(), "", { description: "One line for people reading the summary." }),
    out: withDefault(text("a directory path"), "reports", {
      description:
        "Parent directory for reports, relative to the working directory (as --out, which overrides it).",
    }),
    notify: optional(NOTIFY, {
      description:
        "A webhook for the suite's outcome (a JSON summary with a Slack-compatible text), as --notify URL " +
        "--notify-on WHEN, which override it.",
    }),
    entries: required(
      list(ENTRY, { expected: ENTRIES_EXPECTED, empty: `expected at least one entry; ${ENTRIES_EXPECTED}` }),
      ENTRIES_EXPECTED,
      { description: "What the suite runs, in order: drills and matrices, each with optional overrides." },
    ),
  },
  { expected: SUITE_EXPECTED },
);

/** The fields a suite file may have, in order. */
export const SUITE_FIELDS: readonly string[] = Object.keys(SUITE_FORMAT.fields);

/** The fields a suite entry may have, in order. */
export const SUITE_ENTRY_FIELDS: readonly string[] = Object.keys(ENTRY_FIELDS.fields);
