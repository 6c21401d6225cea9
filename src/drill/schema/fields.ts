// The fields of a mapping: each with its file name, its normalised name (`as`), whether it is
// required, optional or has a default, its description, and hooks for checks that need other fields.
import { fieldPath } from "../problems.ts";
import type { Field, Mapping } from "../reader.ts";
import { childLevel, withLevel, type JsonSchema, type Scope, type ValueSpec } from "./spec.ts";

type Presence = "required" | "optional" | "default";

/** What a field's check sees: the field (undefined when left out) and the fields read before it. */
export interface FieldAt {
  field: Field | undefined;
  /** Values read so far in this mapping, by file name; undefined where one was rejected. */
  values: Readonly<Record<string, unknown>>;
  fields: Readonly<Record<string, Field | undefined>>;
  scope: Scope;
}

export interface FieldSpec<
  T,
  As extends string | undefined = string | undefined,
  P extends Presence = Presence,
> {
  readonly spec: ValueSpec<T>;
  readonly presence: P;
  /** The normalised name; the file name when undefined. */
  readonly as: As;
  /** Required fields: what the field should hold ("missing required field; expected ..."). */
  readonly expected?: string;
  /** The normalised value used when the field is left out (not for sections). */
  readonly default?: T;
  /** A mapping that, left out, is read as an empty one so that its own defaults and checks apply. */
  readonly section?: boolean;
  readonly description?: string;
  /**
   * Runs after the field is read (or defaulted), even when its value was rejected, and returns the
   * value: checks against the fields read before it, or notes the value in the format's context for
   * fields read after it.
   */
  readonly check?: (value: T | undefined, at: FieldAt) => T | undefined;
  /** Extra JSON Schema keywords for the field (beyond its value's, description and default). */
  readonly schema?: JsonSchema;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyField = FieldSpec<any, string | undefined, Presence>;
export type Fields = Readonly<Record<string, AnyField>>;

interface FieldOptions<T, A> {
  as?: A;
  description?: string;
  check?: (value: T | undefined, at: FieldAt) => T | undefined;
  schema?: JsonSchema;
}

export function required<T, const A extends string | undefined = undefined>(
  spec: ValueSpec<T>,
  expected: string,
  options: FieldOptions<T, A> = {},
): FieldSpec<T, A, "required"> {
  return { ...options, spec, presence: "required", expected, as: options.as as A };
}

export function optional<T, const A extends string | undefined = undefined>(
  spec: ValueSpec<T>,
  options: FieldOptions<T, A> = {},
): FieldSpec<T, A, "optional"> {
  return { ...options, spec, presence: "optional", as: options.as as A };
}

export function withDefault<T, const A extends string | undefined = undefined>(
  spec: ValueSpec<T>,
  value: NoInfer<T>,
  options: FieldOptions<T, A> = {},
): FieldSpec<T, A, "default"> {
  return { ...options, spec, presence: "default", default: value, as: options.as as A };
}

/** A nested mapping that may be left out: then it is read as empty (its fields' defaults). */
export function section<T, const A extends string | undefined = undefined>(
  spec: ValueSpec<T>,
  options: FieldOptions<T, A> = {},
): FieldSpec<T, A, "default"> {
  return { ...options, spec, presence: "default", section: true, as: options.as as A };
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type OutKey<K, F extends AnyField> = [F["as"]] extends [string] ? F["as"] : K;
type ValueOf<F extends AnyField> = F["spec"] extends ValueSpec<infer T> ? T : never;

/** The normalised object the fields read into: renamed by `as`, optional fields optional. */
export type Shape<F extends Fields> = Simplify<
  {
    [K in keyof F as F[K]["presence"] extends "optional" ? never : OutKey<K, F[K]>]: ValueOf<F[K]>;
  } & {
    [K in keyof F as F[K]["presence"] extends "optional" ? OutKey<K, F[K]> : never]?: ValueOf<F[K]>;
  }
>;

/** The values as read, by file name, for checks across fields (any may be undefined). */
export type FileValues<F extends Fields> = { [K in keyof F]?: ValueOf<F[K]> };

export interface FieldsRead {
  values: Record<string, unknown>;
  fields: Record<string, Field | undefined>;
  /** Every field present (or required) was read without a problem. */
  ok: boolean;
}

/** Reads `fields` from `m` in their order; what is wrong is recorded on the scope's reader. */
export function readFields(m: Mapping, fields: Fields, scope: Scope): FieldsRead {
  const values: Record<string, unknown> = {};
  const found: Record<string, Field | undefined> = {};
  let ok = true;
  for (const [key, f] of Object.entries(fields)) {
    const field = f.presence === "required" ? m.require(key, f.expected ?? "a value") : m.get(key);
    const inner = withLevel(scope, childLevel(scope.level, key));
    let value: unknown;
    if (field !== undefined) value = f.spec.read(field, inner);
    else if (f.section) value = f.spec.readEmpty?.(fieldPath(m.path, key), inner);
    else value = f.default;
    if (f.check) value = f.check(value, { field, values, fields: found, scope });
    if (value === undefined && (field !== undefined || f.presence !== "optional")) ok = false;
    values[key] = value;
    found[key] = field;
  }
  return { values, fields: found, ok };
}

/** The normalised object: each value under its `as` name, in field order; left-out optionals absent. */
export function shapeOf<F extends Fields>(fields: F, values: Record<string, unknown>): Shape<F> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    if (values[key] !== undefined) out[f.as ?? key] = values[key];
  }
  return out as Shape<F>;
}

/** The JSON Schema of one field: its value's, with its description and default as a file writes it. */
export function fieldSchema(f: AnyField, builder: Parameters<ValueSpec<unknown>["schema"]>[0]): JsonSchema {
  const schema: JsonSchema = { ...f.spec.schema(builder), ...f.schema };
  if (f.description !== undefined) schema.description = f.description;
  if (f.presence === "default" && !f.section) {
    schema.default = f.spec.written ? f.spec.written(f.default) : f.default;
  }
  return schema;
}
