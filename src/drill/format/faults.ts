// The fault timeline: a list of faults told apart by `type`, each read by its kind (src/faults/).
// Every fault has `at` and may have `duration`; the rest of its fields are its kind's.
import { FAULT_TYPES, faultKind, type Fault } from "../../faults/registry.ts";
import type { AnyFaultKind, FaultTiming } from "../../faults/kind.ts";
import { formatDuration } from "../duration.ts";
import type { Field, Mapping } from "../reader.ts";
import { fieldSchema, optional, readFields, required } from "../schema/fields.ts";
import { mapping } from "../schema/mapping.ts";
import { withLevel, type JsonSchema, type Level, type Scope, type ValueSpec } from "../schema/spec.ts";
import { drillContext } from "./context.ts";
import { duration } from "./units.ts";

const TIMING = {
  at: required(
    duration({ positive: false }),
    'when the fault starts, relative to the workload start, e.g. "10s"',
    {
      description: "When the fault starts, relative to the workload start; before workload.duration.",
    },
  ),
  duration: optional(duration({ positive: true }), {
    description:
      "How long the fault lasts; omitted = until the workload ends. at + duration must not exceed " +
      "workload.duration.",
  }),
};

/** The field names of one kind, as the file lists them: at, type, duration, then its own. */
function fieldNames(kind: AnyFaultKind): string[] {
  return ["at", "type", "duration", ...Object.keys(kind.fields)];
}

/** Every field any fault type accepts, for checking a fault whose type is missing or unknown. */
export const ANY_FAULT_FIELDS: readonly string[] = [
  ...new Set(FAULT_TYPES.flatMap((type) => fieldNames(faultKind(type)))),
];

/** Each kind's own fields as a mapping, with the kind's checks across them. */
const OWN_FIELDS = new Map(
  FAULT_TYPES.map((type) => {
    const kind = faultKind(type);
    const check = kind.check?.bind(kind);
    return [type, mapping(kind.fields, check ? { check } : {})];
  }),
);

function readTiming(m: Mapping, scope: Scope): FaultTiming | undefined {
  const { values, fields, ok } = readFields(m, TIMING, scope);
  const atMs = values["at"] as number | undefined;
  const durationMs = values["duration"] as number | undefined;
  const workloadMs = drillContext(scope).workloadMs;
  if (fields["at"] && atMs !== undefined && workloadMs !== undefined) {
    const workload = `the workload ends at ${formatDuration(workloadMs)} (workload.duration)`;
    if (atMs >= workloadMs) {
      scope.reader.report(fields["at"], `starts at ${formatDuration(atMs)} but ${workload}`);
    } else if (fields["duration"] && durationMs !== undefined && atMs + durationMs > workloadMs) {
      const end = formatDuration(atMs + durationMs);
      scope.reader.report(
        fields["duration"],
        `the fault would last until ${end} but ${workload}; shorten it or omit it`,
      );
    }
  }
  if (!ok || atMs === undefined) return undefined;
  return durationMs === undefined ? { atMs } : { atMs, durationMs };
}

function readFault(item: Field, scope: Scope): Fault | undefined {
  const r = scope.reader;
  // The type decides which fields are known: read it first, then the fault with that type's fields.
  const probe = r.mapping(item, "faults[]", undefined);
  if (probe === undefined) return undefined;
  const typeField = probe.require("type", `one of: ${FAULT_TYPES.join(", ")}`);
  const type = typeField && r.oneOf(typeField, FAULT_TYPES);
  const kind = type === undefined ? undefined : faultKind(type);
  const level = type === undefined ? "faults[]" : `faults[${type}]`;
  const m = r.mapping(item, level, kind === undefined ? ANY_FAULT_FIELDS : fieldNames(kind));
  if (m === undefined) return undefined;
  const timing = readTiming(m, withLevel(scope, level));
  if (type === undefined || kind === undefined) return undefined;
  const own = OWN_FIELDS.get(type)?.readMapping(m, withLevel(scope, level));
  if (timing === undefined || own?.value === undefined) return undefined;
  return kind.build(own.value, timing) as Fault;
}

function faultSchema(kind: AnyFaultKind, builder: Parameters<ValueSpec<unknown>["schema"]>[0]): JsonSchema {
  const own = mapping(kind.fields).schema(builder);
  const ownRequired = (own.required as string[] | undefined) ?? [];
  return {
    type: "object",
    additionalProperties: false,
    required: ["at", "type", ...ownRequired],
    description: kind.description,
    properties: {
      at: fieldSchema(TIMING.at, builder),
      type: { const: kind.type },
      duration: fieldSchema(TIMING.duration, builder),
      ...(own.properties as Record<string, JsonSchema>),
    },
  };
}

export const FAULTS: ValueSpec<Fault[]> = {
  read(field, scope) {
    const items = scope.reader.sequence(field);
    if (items === undefined) return undefined;
    const faults = items.map((item) => readFault(item, scope));
    return faults.every((fault) => fault !== undefined) ? faults : undefined;
  },
  schema: (builder) => ({
    type: "array",
    items: { oneOf: FAULT_TYPES.map((type) => faultSchema(faultKind(type), builder)) },
  }),
  levels: (label): Level[] =>
    FAULT_TYPES.map((type) => ({ label: `${label}[${type}]`, fields: fieldNames(faultKind(type)) })),
};
