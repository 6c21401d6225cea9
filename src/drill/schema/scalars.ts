// Scalar value specs: each reads with the DrillReader method of the same meaning, so the problems
// (and their wording) are the reader's.
import { isScalar } from "yaml";
import type { JsonSchema, ValueSpec } from "./spec.ts";

/** A string; `expected` says what to write instead of a number or a list. */
export function text(expected?: string): ValueSpec<string> {
  return {
    read: (field, { reader }) => reader.string(field, expected),
    schema: () => ({ type: "string" }),
  };
}

/** A string matching `pattern`; `expected` describes it in the problem ("a DNS name like ..."). */
export function pattern(re: RegExp, expected: string, schema: JsonSchema = {}): ValueSpec<string> {
  return {
    read: (field, { reader }) => reader.pattern(field, re, expected),
    schema: () => ({ type: "string", pattern: patternText(re), ...schema }),
  };
}

/** One of a fixed list of names; a near miss gets "did you mean". */
export function oneOf<const T extends string>(values: readonly T[]): ValueSpec<T> {
  return {
    read: (field, { reader }) => reader.oneOf(field, values),
    schema: () => ({ enum: [...values] }),
  };
}

/** A whole number from `min` to `max`. */
export function integer(min: number, max?: number): ValueSpec<number> {
  return {
    read: (field, { reader }) => reader.integer(field, min, max),
    schema: () => ({ type: "integer", minimum: min, ...(max === undefined ? {} : { maximum: max }) }),
  };
}

/** A probability: a number from 0 to 1. */
export function fraction(): ValueSpec<number> {
  return {
    read: (field, { reader }) => reader.fraction(field),
    schema: () => ({ type: "number", minimum: 0, maximum: 1 }),
  };
}

/** A scalar of any type as text (postgresql.conf values: `4MB`, `off`, `200`). */
export function scalarText(): ValueSpec<string> {
  return {
    read: (field, { reader }) => reader.scalarText(field),
    schema: () => ({ type: ["string", "number", "boolean"] }),
  };
}

/** A value with a unit read by `parse` (which throws UnitError); `example` is the expectation. */
export function measure(parse: (value: string | number) => number, example: string): ValueSpec<number> {
  return {
    read: (field, { reader }) => reader.measure(field, parse, example),
    schema: () => ({ type: ["string", "number"] }),
  };
}

/** A regular expression as a JSON Schema pattern: JavaScript's `source` without its escaped slashes. */
export function patternText(re: RegExp): string {
  return re.source.replaceAll("\\/", "/");
}

/** true or false (YAML's own booleans; `yes`/`on` are strings in YAML 1.2 and refused). */
export function boolean(): ValueSpec<boolean> {
  return {
    read(field, { reader }) {
      const text = reader.scalarText(field);
      if (text === undefined) return undefined;
      const node = field.node;
      if (isScalar(node) && typeof node.value === "boolean") return node.value;
      reader.report(field, `expected true or false, got ${JSON.stringify(text)}`);
      return undefined;
    },
    schema: () => ({ type: "boolean" }),
  };
}
