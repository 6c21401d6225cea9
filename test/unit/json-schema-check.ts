// Just enough JSON Schema 2020-12 for the schemas in schema/, so examples can be checked against them.
import assert from "node:assert/strict";

export type Schema = { [key: string]: unknown };

/** Follows `#/$defs/NAME` references within `root`. */
export function resolveRef(node: Schema, root: Schema): Schema {
  const ref = node.$ref;
  if (typeof ref !== "string") return node;
  const name = ref.replace(/^#\/\$defs\//, "");
  const target = (root.$defs as Record<string, Schema>)[name];
  assert.ok(target, `unresolved $ref ${ref}`);
  return resolveRef(target, root);
}

/** Why `value` does not match `raw` (a node of the schema `root`); empty when it does. */
export function schemaErrorsIn(root: Schema, value: unknown, raw: Schema, path = "$"): string[] {
  const node = resolveRef(raw, root);
  const schemaErrors = (v: unknown, s: Schema, p: string): string[] => schemaErrorsIn(root, v, s, p);
  const errors: string[] = [];
  const fail = (what: string) => errors.push(`${path}: ${what}`);
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (node.anyOf && !(node.anyOf as Schema[]).some((s) => schemaErrors(value, s, path).length === 0)) {
    fail("matches none of anyOf");
  }
  if (
    node.oneOf &&
    (node.oneOf as Schema[]).filter((s) => schemaErrors(value, s, path).length === 0).length !== 1
  ) {
    fail("does not match exactly one of oneOf");
  }
  if (node.not && schemaErrors(value, node.not as Schema, path).length === 0) fail("matches not");
  if (node.if) {
    const branch = schemaErrors(value, node.if as Schema, path).length === 0 ? node.then : node.else;
    if (branch) errors.push(...schemaErrors(value, branch as Schema, path));
  }
  if ("const" in node && value !== node.const) fail(`expected ${JSON.stringify(node.const)}`);
  if (node.enum && !(node.enum as unknown[]).includes(value))
    fail(`expected one of ${JSON.stringify(node.enum)}`);
  const types = node.type === undefined ? [] : ([] as string[]).concat(node.type as string);
  const typeOf = (v: unknown) =>
    Array.isArray(v) ? "array" : v === null ? "null" : Number.isInteger(v) ? "integer" : typeof v;
  if (
    types.length > 0 &&
    !types.some((t) => t === typeOf(value) || (t === "number" && typeOf(value) === "integer"))
  ) {
    fail(`expected type ${types.join("|")}, got ${typeOf(value)}`);
    return errors;
  }
  if (
    typeof value === "string" &&
    typeof node.pattern === "string" &&
    !new RegExp(node.pattern, "u").test(value)
  ) {
    fail(`"${value}" does not match ${node.pattern}`);
  }
  if (typeof value === "number") {
    if (typeof node.minimum === "number" && value < node.minimum) fail(`below ${node.minimum}`);
    if (typeof node.exclusiveMinimum === "number" && value <= node.exclusiveMinimum)
      fail("not above minimum");
    if (typeof node.maximum === "number" && value > node.maximum) fail(`above ${node.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof node.minItems === "number" && value.length < node.minItems) fail("too few items");
    if (typeof node.maxItems === "number" && value.length > node.maxItems) fail("too many items");
    if (node.uniqueItems === true && new Set(value).size !== value.length) fail("items not unique");
    if (node.items)
      value.forEach((item, i) => errors.push(...schemaErrors(item, node.items as Schema, `${path}[${i}]`)));
  }
  if (isObject(value)) {
    const properties = (node.properties ?? {}) as Record<string, Schema>;
    for (const key of (node.required ?? []) as string[]) if (!(key in value)) fail(`missing ${key}`);
    if (typeof node.minProperties === "number" && Object.keys(value).length < node.minProperties) {
      fail("too few properties");
    }
    for (const [key, item] of Object.entries(value)) {
      const names = node.propertyNames as Schema | undefined;
      if (names) errors.push(...schemaErrors(key, names, `${path}.${key} (name)`));
      if (properties[key]) errors.push(...schemaErrors(item, properties[key], `${path}.${key}`));
      else if (node.additionalProperties === false) fail(`unknown property ${key}`);
      else if (isObject(node.additionalProperties)) {
        errors.push(...schemaErrors(item, node.additionalProperties as Schema, `${path}.${key}`));
      }
    }
  }
  return errors;
}
