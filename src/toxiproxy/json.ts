// Request bodies are decoded the way Go's encoding/json decodes them into Toxiproxy's structs, so a
// body passes or fails here exactly when it does against the Go server: unknown fields are ignored,
// `null` leaves a field at its default, keys match case-insensitively, and a value of the wrong JSON
// type (a string for a number, 1.5 for an integer) is a 400 "bad request body".

/** An error the HTTP API reports as `{"error": message, "status": status}`. */
export class ToxiproxyApiError extends Error {
  override name = "ToxiproxyApiError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

// Messages as Toxiproxy words them (api.go), so clients matching on them keep working.
export const apiErrors = {
  badRequestBody: (detail: string) => new ToxiproxyApiError(`bad request body: ${detail}`, 400),
  missingField: (field: string) => new ToxiproxyApiError(`missing required field: ${field}`, 400),
  proxyNotFound: () => new ToxiproxyApiError("proxy not found", 404),
  proxyExists: () => new ToxiproxyApiError("proxy already exists", 409),
  invalidStream: () => new ToxiproxyApiError("stream was invalid, can be either upstream or downstream", 400),
  invalidToxicType: () => new ToxiproxyApiError("invalid toxic type", 400),
  toxicExists: () => new ToxiproxyApiError("toxic already exists", 409),
  toxicNotFound: () => new ToxiproxyApiError("toxic not found", 404),
};

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

function typeError(value: unknown, where: string, goType: string): ToxiproxyApiError {
  // Go names the number only when it is a number that does not fit a numeric field (1.5 for int64).
  const numeric = goType === "int64" || goType === "float32";
  const shown = typeof value === "number" && numeric ? `number ${value}` : jsonKind(value);
  return apiErrors.badRequestBody(`json: cannot unmarshal ${shown} into Go ${where} of type ${goType}`);
}

/** The body as a JSON object; `null` decodes to nothing set (as Go leaves the struct untouched). */
export function decodeObject(body: unknown, goType: string): Record<string, unknown> {
  if (body === null) return {};
  if (!isRecord(body)) throw typeError(body, "value", goType);
  return body;
}

/** Go matches keys case-insensitively and lets a later key overwrite an earlier one. */
export function field(object: Record<string, unknown>, name: string): unknown {
  let found: unknown;
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) {
    if (key === name || key.toLowerCase() === lower) found = object[key];
  }
  return found;
}

/** Reads one field of a Go struct: absent or `null` leaves it unset, else the value must fit `goType`. */
type FieldReader<T> = (object: Record<string, unknown>, name: string, struct: string) => T | undefined;

function fieldReader<T>(goType: string, fits: (value: unknown) => value is T): FieldReader<T> {
  return (object, name, struct) => {
    const value = field(object, name);
    if (value === undefined || value === null) return undefined;
    if (!fits(value)) throw typeError(value, `struct field ${struct}.${name}`, goType);
    return value;
  };
}

export const stringField = fieldReader("string", (value): value is string => typeof value === "string");

export const boolField = fieldReader("bool", (value): value is boolean => typeof value === "boolean");

const FLOAT32_MAX = 3.4028234663852886e38;

const float32Value = fieldReader(
  "float32",
  (value): value is number => typeof value === "number" && Math.abs(value) <= FLOAT32_MAX,
);

/** Toxiproxy's toxicity is a float32: any number in its range is accepted (no 0..1 check). */
export const float32Field: FieldReader<number> = (object, name, struct) => {
  const value = float32Value(object, name, struct);
  if (value === undefined) return undefined;
  // Go stores a float32 and prints its shortest form back (0.1, not 0.10000000149011612).
  const stored = Math.fround(value);
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(stored.toPrecision(digits));
    if (Math.fround(shortest) === stored) return shortest;
  }
  return stored;
};

/** 2^63: beyond int64 (as far as a double can tell). */
const INT64_LIMIT = 2 ** 63;

/** An int64 attribute: integers only (1.5 and "5" are rejected), negative values are accepted. */
export const integerField = fieldReader(
  "int64",
  (value): value is number =>
    typeof value === "number" && Number.isInteger(value) && Math.abs(value) < INT64_LIMIT,
);

/** Parses a request body as Go's json.Decoder would report it: "EOF" for an empty body. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") throw apiErrors.badRequestBody("EOF");
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw apiErrors.badRequestBody((err as Error).message);
  }
}
