// Every fault kind a drill can use, one line each, in the order the format lists them. The loader, the
// JSON Schema, the nemesis and the report all go through this list. Adding a fault kind = its file,
// one line here, and its test (docs/drill-format.md, "Adding a fault kind").
import { bandwidth } from "./bandwidth.ts";
import { clockSkew } from "./clock-skew.ts";
import { blackhole } from "./blackhole.ts";
import { hookFault } from "./hook.ts";
import type { AnyFaultKind, FaultOf } from "./kind.ts";
import { latency } from "./latency.ts";
import { limitData } from "./limit-data.ts";
import { partition } from "./partition.ts";
import { regionOutage } from "./region-outage.ts";
import { resetPeer } from "./reset-peer.ts";
import { slicer } from "./slicer.ts";
import { slowClose } from "./slow-close.ts";

export const FAULT_KINDS = [
  regionOutage,
  partition,
  latency,
  bandwidth,
  blackhole,
  resetPeer,
  slowClose,
  limitData,
  slicer,
  hookFault,
  clockSkew,
] as const;

/** A normalised fault of any kind. */
export type Fault = FaultOf<(typeof FAULT_KINDS)[number]>;
export type FaultType = Fault["type"];

export const FAULT_TYPES: readonly FaultType[] = FAULT_KINDS.map((kind) => kind.type);

const BY_TYPE = new Map<string, AnyFaultKind>(FAULT_KINDS.map((kind) => [kind.type, kind]));

/** The kind of a fault type; its methods take faults of that type. */
export function faultKind(type: FaultType): AnyFaultKind {
  const kind = BY_TYPE.get(type);
  if (kind === undefined) throw new Error(`unknown fault type ${type}`);
  return kind;
}
