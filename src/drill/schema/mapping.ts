// Mappings: a fixed set of named fields (anything else is an unknown field, with a suggestion), or a
// record of free-form names (environment variables, postgresql.conf settings).
import { Mapping, type Field } from "../reader.ts";
import {
  fieldSchema,
  readFields,
  shapeOf,
  type FieldsRead,
  type FileValues,
  type Fields,
  type Shape,
} from "./fields.ts";
import { patternText } from "./scalars.ts";
import { childLevel, type JsonSchema, type Level, type Scope, type ValueSpec } from "./spec.ts";

/** What a mapping's check sees: every field's value (undefined where rejected or left out). */
export interface MappingAt<F extends Fields> {
  values: FileValues<F>;
  fields: Partial<Record<keyof F, Field>>;
  scope: Scope;
}

export interface MappingOptions<F extends Fields, Out> {
  /** What a non-mapping is told it should be; default "a mapping". */
  expected?: string;
  description?: string;
  /** Checks across fields, after all are read (whether or not they were valid); false rejects. */
  check?: (at: MappingAt<F>) => boolean;
  /** The normalised value from the fields' shape, when it is not the shape itself. */
  build?: (shape: Shape<F>, scope: Scope) => Out;
  /** JSON Schema keywords for rules across fields (if/then/else). */
  schema?: JsonSchema;
  /** Names people reach for that are deliberately not fields here: what holds instead. */
  notFields?: Readonly<Record<string, string>>;
}

export interface MappingSpec<F extends Fields, Out> extends ValueSpec<Out> {
  readonly fields: F;
  /** The value and every field as read, for checks one level up (e.g. unique names in a list). */
  readParts(field: Field, scope: Scope): { value: Out | undefined; read: FieldsRead } | undefined;
  /** Reads an already opened mapping (its unknown fields already reported). */
  readMapping(m: Mapping, scope: Scope): { value: Out | undefined; read: FieldsRead };
}

export function mapping<F extends Fields, Out = Shape<F>>(
  fields: F,
  options: MappingOptions<F, Out> = {},
): MappingSpec<F, Out> {
  const names = Object.keys(fields);
  const spec: MappingSpec<F, Out> = {
    fields,
    readMapping(m, scope) {
      const read = readFields(m, fields, scope);
      const at = {
        values: read.values as FileValues<F>,
        fields: read.fields as MappingAt<F>["fields"],
        scope,
      };
      const checked = options.check ? options.check(at) : true;
      if (!read.ok || !checked) return { value: undefined, read };
      const shape = shapeOf(fields, read.values);
      return { value: options.build ? options.build(shape, scope) : (shape as Out), read };
    },
    readParts(field, scope) {
      const m = scope.reader.mapping(field, scope.level, names, options.expected);
      return m && spec.readMapping(m, scope);
    },
    read: (field, scope) => spec.readParts(field, scope)?.value,
    readEmpty(path, scope) {
      return spec.readMapping(Mapping.empty(scope.reader, path), scope).value;
    },
    schema(builder) {
      const required = names.filter((name) => fields[name]?.presence === "required");
      const properties = Object.fromEntries(
        names.map((name) => [name, fieldSchema(fields[name] as F[string], builder)]),
      );
      return {
        type: "object",
        additionalProperties: false,
        ...(options.description === undefined ? {} : { description: options.description }),
        ...(required.length === 0 ? {} : { required }),
        properties,
        ...options.schema,
      };
    },
    levels(label) {
      return [
        { label, fields: names, ...(options.notFields ? { notFields: options.notFields } : {}) },
        ...names.flatMap((name) => fields[name]?.spec.levels?.(childLevel(label, name)) ?? []),
      ];
    },
  };
  return spec;
}

export interface RecordOptions<T> {
  /** What a non-mapping is told it should be; default "a mapping". */
  expected?: string;
  /** The rule for names, and the problem for a name that breaks it. */
  key: { pattern: RegExp; message: string };
  value: ValueSpec<T>;
  /** What a name without a value should have. */
  valueExpected: string;
}

/** Free-form names to values: every name checked by one rule, every value by one spec. */
export function record<T>(options: RecordOptions<T>): ValueSpec<Record<string, T>> {
  return {
    read(field, scope) {
      const r = scope.reader;
      const m = r.mapping(field, scope.level, undefined, options.expected);
      if (m === undefined) return undefined;
      const out: Record<string, T> = {};
      let complete = true;
      for (const key of m.keys()) {
        const keyField = m.keyField(key);
        if (!options.key.pattern.test(key) && keyField) {
          r.report(keyField, options.key.message);
          complete = false;
          continue;
        }
        const valueField = m.require(key, options.valueExpected);
        const value = valueField && options.value.read(valueField, scope);
        if (value === undefined) complete = false;
        else out[key] = value;
      }
      return complete ? out : undefined;
    },
    schema: (builder) => ({
      type: "object",
      propertyNames: { pattern: patternText(options.key.pattern) },
      additionalProperties: options.value.schema(builder),
    }),
  };
}

/** The level labels and field names of a format, for the field catalogue and its tests. */
export function levelsOf(spec: ValueSpec<unknown>, label = ""): Level[] {
  return spec.levels?.(label) ?? [];
}
