// Lists: every item read by one spec, with optional rules over the whole list.
import type { Field } from "../reader.ts";
import type { MappingSpec } from "./mapping.ts";
import { withLevel, type JsonSchema, type Scope, type ValueSpec } from "./spec.ts";

/** Items that must differ in one field: a repeat is reported at that field of the later item. */
export interface Unique {
  field: string;
  /** Equality key of the field's value; its text by default. */
  key?: (value: unknown) => string;
  /** The problem, given the repeated value and the path of the item that had it first. */
  message: (value: unknown, first: string) => string;
}

export interface ListAt<T> {
  /** Every item as read; undefined where an item was rejected. */
  items: (T | undefined)[];
  /** Every item was read without a problem. */
  complete: boolean;
  field: Field;
  scope: Scope;
}

export interface ListOptions<T> {
  /** What a non-list is told it should be; default "a list". */
  expected?: string;
  /** The problem for an empty list; an empty list is fine when undefined. */
  empty?: string;
  /** Mapping items only. */
  unique?: Unique;
  /** Rules over the whole list, after every item is read; returns the list, or undefined to reject. */
  check?: (at: ListAt<T>) => T[] | undefined;
  /** JSON Schema keywords the rules above amount to (minItems, maxItems, uniqueItems, ...). */
  schema?: JsonSchema;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMapping<T> = MappingSpec<any, T>;

export function list<T>(item: ValueSpec<T>, options: ListOptions<T> = {}): ValueSpec<T[]> {
  return {
    read(field, scope) {
      const r = scope.reader;
      const fields = r.sequence(field, options.expected);
      if (fields === undefined) return undefined;
      if (options.empty !== undefined && fields.length === 0) {
        r.report(field, options.empty);
        return undefined;
      }
      const itemScope = withLevel(scope, `${scope.level}[]`);
      const seen = new Map<string, string>();
      const items: (T | undefined)[] = [];
      let complete = true;
      for (const f of fields) {
        const value = options.unique
          ? readUnique(item as AnyMapping<T>, options.unique, f, itemScope, seen)
          : { value: item.read(f, itemScope), repeated: false };
        if (value.value === undefined || value.repeated) complete = false;
        items.push(value.value);
      }
      if (options.check) return options.check({ items, complete, field, scope });
      return complete ? (items as T[]) : undefined;
    },
    schema: (builder) => ({
      type: "array",
      ...(options.empty === undefined ? {} : { minItems: 1 }),
      ...options.schema,
      items: item.schema(builder),
    }),
    levels: (label) => item.levels?.(`${label}[]`) ?? [],
  };
}

function readUnique<T>(
  item: AnyMapping<T>,
  unique: Unique,
  field: Field,
  scope: Scope,
  seen: Map<string, string>,
): { value: T | undefined; repeated: boolean } {
  const parts = item.readParts(field, scope);
  if (parts === undefined) return { value: undefined, repeated: false };
  const value = parts.read.values[unique.field];
  const at = parts.read.fields[unique.field];
  if (value === undefined || at === undefined) return { value: parts.value, repeated: false };
  const key = unique.key ? unique.key(value) : String(value);
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, field.path);
    return { value: parts.value, repeated: false };
  }
  scope.reader.report(at, unique.message(value, first));
  return { value: parts.value, repeated: true };
}
