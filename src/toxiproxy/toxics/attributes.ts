// A toxic's attributes as Toxiproxy decodes them from the API's JSON.
import { apiErrors, integerField, isRecord, type ToxiproxyApiError } from "../json.ts";
import type { ToxicAttributes, ToxicKind } from "./kind.ts";

/** Go's error for `attributes` that are not a JSON object, decoded into the struct toxics.<goType>. */
export function attributesNotObject(value: unknown, goType: string): ToxiproxyApiError {
  return apiErrors.badRequestBody(
    `json: cannot unmarshal ${Array.isArray(value) ? "array" : typeof value} into Go struct field ` +
      `ToxicWrapper.attributes of type toxics.${goType}`,
  );
}

/** Attributes as Go decodes them into the toxic's struct: `patch` merged over `base` (or zeros). */
export function parseToxicAttributes(
  kind: ToxicKind,
  patch: unknown,
  base: ToxicAttributes | undefined,
): ToxicAttributes {
  const result: Record<string, number> = {};
  for (const name of kind.attributes) result[name] = base?.[name] ?? 0;
  if (patch === undefined || patch === null) return result;
  if (!isRecord(patch)) throw attributesNotObject(patch, kind.type);
  for (const name of kind.attributes) {
    const value = integerField(patch, name, `${kind.type}.attributes`);
    if (value !== undefined) result[name] = value;
  }
  const problem = kind.validate?.(result);
  if (problem !== undefined) throw apiErrors.badRequestBody(problem);
  return result;
}
