// The validated, normalised drill. The loader (src/drill/load.ts) turns a YAML file into this shape;
// everything downstream reads only this. All durations are milliseconds (suffix `Ms`). The shape is
// inferred from the one definition of the format (src/drill/format/drill.ts, the faults from
// src/faults/registry.ts): change a field there and these types follow.
import type { ToxicFault } from "../faults/link.ts";
import type { Fault } from "../faults/registry.ts";
import type { DRILL_FORMAT } from "./format/drill.ts";
import type { Static } from "./schema/spec.ts";

export type Drill = Static<typeof DRILL_FORMAT>;

/**
 * The app under test in every region ("bring your own app"). Omitted fields are the reference app's
 * (fixtures/app/server.ts). Text in `command`, `env` values may use {{REGION}}, {{HOST}}, {{PORT}},
 * {{DATABASE_URL}}, {{DATABASE_HOST}}, {{DATABASE_PORT}}; `writePath` must use {{id}}.
 */
export type AppSpec = Drill["app"];
export type RegionSpec = Drill["regions"][number];
export type RegionRole = RegionSpec["role"];
export type ReplicationMode = Drill["database"]["replication"];
export type ControllerMode = Drill["controller"]["mode"];

export type { Platform } from "./format/context.ts";
export { PLATFORMS } from "./format/context.ts";
export { REFERENCE_APP_ENDPOINTS } from "./format/app.ts";
export type { Objective, ObjectiveOperator } from "./objective.ts";

export type { Fault, FaultType } from "../faults/registry.ts";
export type { LinkDirection, LinkKind, LinkSelector } from "../faults/link.ts";
export { LINK_KINDS } from "../faults/link.ts";
export type { OutageMode } from "../faults/region-outage.ts";
export { OUTAGE_MODES } from "../faults/region-outage.ts";
export type RegionOutageFault = Extract<Fault, { type: "region-outage" }>;
export type PartitionFault = Extract<Fault, { type: "partition" }>;
export type LatencyFault = Extract<Fault, { type: "latency" }>;
/** The faults that are one Toxiproxy toxic with its attributes (bandwidth, blackhole, ...). */
export type LinkToxicType = Extract<Fault, { attributes: unknown }>["type"];
export type LinkToxicFault = ToxicFault<LinkToxicType>;
