// A small schema language for YAML file formats: each value spec reads its part of a parsed file
// through the DrillReader (recording problems with line:column and field path instead of throwing),
// describes itself as JSON Schema, and carries its normalised TypeScript type. A format is defined
// once with these specs; its validation, its types (Static<>) and its JSON Schema all follow from it.
import type { DrillReader, Field } from "../reader.ts";

/** A JSON Schema (2020-12) node, as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** Where a value is read: the reader, the level label for field names, and the format's own context. */
export interface Scope {
  readonly reader: DrillReader;
  /**
   * The level label the field catalogue uses: "" top level, `controller.healthCheck` a mapping,
   * `regions[]` a list item, `faults[latency]` a tagged list item.
   */
  readonly level: string;
  /** What the format keeps while reading (e.g. the regions read so far); the format knows its type. */
  readonly context: unknown;
}

/** One level of a format: its label and the field names accepted there, in order. */
export interface Level {
  label: string;
  fields: readonly string[];
  /** Names people reach for that are deliberately not fields here: what holds instead. */
  notFields?: Readonly<Record<string, string>>;
}

/** Collects named definitions ($defs) while a schema is generated. */
export interface SchemaBuilder {
  /** A `$ref` to the definition `name`, made by `define` the first time. */
  ref(name: string, define: () => JsonSchema): JsonSchema;
}

export interface ValueSpec<T> {
  /** The normalised value, or undefined after recording why not. */
  read(field: Field, scope: Scope): T | undefined;
  /** The value as a file writes it (JSON Schema). */
  schema(builder: SchemaBuilder): JsonSchema;
  /** A normalised value as a file would write it, for the schema's `default`; identity when absent. */
  written?(value: T): unknown;
  /** The levels inside this value (mappings and what they hold), labelled from `label`. */
  levels?(label: string): Level[];
  /** A mapping left out of the file: read as an empty one, so its defaults and checks apply. */
  readEmpty?(path: string, scope: Scope): T | undefined;
}

/** The normalised type a spec reads. */
export type Static<S> = S extends ValueSpec<infer T> ? T : never;

/** A spec whose schema is one named definition, referenced wherever it is used. */
export function named<T>(name: string, spec: ValueSpec<T>): ValueSpec<T> {
  return { ...spec, schema: (builder) => builder.ref(name, () => spec.schema(builder)) };
}

/** The same reading with an extra check or conversion of the value read (undefined = rejected). */
export function refine<T, U = T>(
  spec: ValueSpec<T>,
  then: (value: T, field: Field, scope: Scope) => U | undefined,
  extra: { schema?: JsonSchema; written?: (value: U) => unknown } = {},
): ValueSpec<U> {
  const written = extra.written ?? (spec.written as ((value: U) => unknown) | undefined);
  return {
    read(field, scope) {
      const value = spec.read(field, scope);
      return value === undefined ? undefined : then(value, field, scope);
    },
    schema: (builder) => ({ ...spec.schema(builder), ...extra.schema }),
    // A check that keeps the type keeps the way its values are written.
    ...(written === undefined ? {} : { written }),
  };
}

/** The label of a field's level under a parent level: `controller` + `healthCheck`. */
export function childLevel(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

export function withLevel(scope: Scope, level: string): Scope {
  return { ...scope, level };
}
