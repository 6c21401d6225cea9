// The matrix file format, defined once: its fields, their defaults and descriptions (and so the list
// of field names and schema/matrix.schema.json), with the readers of parameters, exclusions and
// includes, which keep where each value is written so a cell's problem can point at it.
import { isSeq } from "yaml";
import { DRILL_NAME } from "../drill/format/common.ts";
import { MAX_REPEAT } from "../drill/limits.ts";
import type { Field } from "../drill/reader.ts";
import { required, withDefault } from "../drill/schema/fields.ts";
import { mapping } from "../drill/schema/mapping.ts";
import { integer, pattern, text } from "../drill/schema/scalars.ts";
import type { Scope, ValueSpec } from "../drill/schema/spec.ts";
import { closest } from "../drill/suggest.ts";
import { showValue, valueKey } from "./cells.ts";
import { formatPath, ParameterPathError, parsePath, type PathSegment } from "./path.ts";
import type { MatrixSpec, Parameter, ParameterValue, SourcePos } from "./types.ts";

/** What reading a matrix file keeps: how to turn values into data, where they are, the parameters. */
export interface MatrixContext {
  /** A value as data (a YAML scalar, list or mapping), aliases resolved. */
  toJs(field: Field): ParameterValue;
  pos(field: Field): SourcePos | undefined;
  /** Filled in while reading: where each parameter's key and values, and each include entry, are. */
  positions: Omit<MatrixSpec["positions"], "base">;
  /** Once read without a problem: what exclusions and includes may name. */
  parameters?: Parameter[];
}

function matrixContext(scope: Scope): MatrixContext {
  return scope.context as MatrixContext;
}

export const PARAMETERS_EXAMPLE =
  "a mapping of drill field paths to lists of values, like database.replication: [async, sync]";

function readParameters(field: Field, scope: Scope): Parameter[] | undefined {
  const r = scope.reader;
  const { toJs, pos, positions } = matrixContext(scope);
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

function readExclude(field: Field, scope: Scope): Array<Record<string, ParameterValue>> | undefined {
  const r = scope.reader;
  const { parameters, toJs } = matrixContext(scope);
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

function readInclude(field: Field, scope: Scope): Array<Record<string, ParameterValue>> | undefined {
  const r = scope.reader;
  const { parameters, toJs, pos, positions } = matrixContext(scope);
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
    positions.include.push(pos(item));
  }
  return include;
}

const PARAMETERS: ValueSpec<Parameter[]> = {
  read: readParameters,
  schema: () => ({
    type: "object",
    minProperties: 1,
    additionalProperties: {
      description: "A list of values (one cell each), or a single value set in every cell.",
      if: { type: "array" },
      then: { minItems: 1 },
    },
  }),
  written: (parameters) => Object.fromEntries(parameters.map((p) => [p.path, p.values])),
};

/** Lists of partial assignments: path -> value. */
function assignments(read: ValueSpec<Array<Record<string, ParameterValue>>>["read"]) {
  return {
    read,
    schema: () => ({ type: "array", items: { type: "object", minProperties: 1 } }),
  } satisfies ValueSpec<Array<Record<string, ParameterValue>>>;
}

/** What a matrix file that is not a mapping is told it should be. */
export const MATRIX_EXPECTED = "a mapping (name, base, parameters, ...)";

export const MATRIX_FORMAT = mapping(
  {
    // A matrix name names its report directory, as a drill name does: the same rule.
    name: required(
      pattern(DRILL_NAME, "lowercase letters, digits and hyphens (seed-tradeoffs)"),
      "a matrix name like seed-tradeoffs",
      { description: "Matrix name, used in report paths." },
    ),
    description: withDefault(text(), "", { description: "One line for people reading the report." }),
    base: required(text(), "the base drill file, relative to this file (region-outage.yaml)", {
      description: "The drill every cell starts from, relative to this file.",
    }),
    repeat: withDefault(integer(1, MAX_REPEAT), 1, { description: `Runs per cell, at most ${MAX_REPEAT}.` }),
    parameters: required(PARAMETERS, PARAMETERS_EXAMPLE, {
      description:
        "Drill field paths as the drill file writes them (dns.ttl, faults[0].at, " +
        'objectives["rto.max"]) to the values to try.',
      check(parameters, { scope }) {
        // Exclusions and includes name parameters; they are checked against them when these are valid.
        matrixContext(scope).parameters = parameters;
        return parameters;
      },
    }),
    exclude: withDefault(assignments(readExclude), [], {
      description: "Grid cells to skip: each entry matches the cells with all of its parameter values.",
    }),
    include: withDefault(assignments(readInclude), [], {
      description: "Extra cells run after the grid; paths they leave out keep the base drill's value.",
    }),
  },
  { expected: MATRIX_EXPECTED },
);

/** The fields a matrix file may have, in order. */
export const MATRIX_FIELDS: readonly string[] = Object.keys(MATRIX_FORMAT.fields);
