// What a fault kind is. Each kind is one module: its type name, its fields in the drill file (part of
// the drill format's one definition), how it is described (in the log, the history and the report),
// and how it is injected and healed. src/faults/registry.ts lists them.
import type { Shape, Fields } from "../drill/schema/fields.ts";
import type { MappingAt } from "../drill/schema/mapping.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import type { Requirement } from "../platform/requirements.ts";
import type { RunningTopology } from "../topology/topology.ts";

/** When a fault starts, relative to the workload start, and how long it lasts (undefined: to the end). */
export interface FaultTiming {
  atMs: number;
  durationMs?: number;
}

/** Every normalised fault: its type and timing, then its own fields. */
export type FaultBase<Type extends string = string> = { type: Type } & FaultTiming;

/** How numbers and names read where a fault is described: compact in the log, spaced in the report. */
export interface FaultWording {
  /** Milliseconds: "500ms" in the log, "500 ms" in the report. */
  duration(ms: number): string;
  /** The fault's type: "region-outage" in the log, "region outage" in the report. */
  name(type: string): string;
  /** "80ms±5ms" in the log, "80 ms ± 5 ms" in the report. */
  plusMinus(value: string, spread: string): string;
}

/** The wording of the runner's log and the history's fault descriptions. */
export const LOG_WORDING: FaultWording = {
  duration: (ms) => `${ms}ms`,
  name: (type) => type,
  plusMinus: (value, spread) => `${value}±${spread}`,
};

/** The parts of a running topology a fault acts on (hook faults also ask what hooks are told). */
export type NemesisTopology = Pick<RunningTopology, "proxies" | "layout" | "injectRegionOutage"> &
  Partial<Pick<RunningTopology, "hookTopology">>;

export interface ApplyContext {
  topology: NemesisTopology;
  /** The fault's index in the drill: names what it adds (toxics `fault-<index>-...`) and owns. */
  index: number;
  /** The drill's history, for faults that record what they ran (hook faults). */
  history?: HistoryRecorder;
}

/** Undoes exactly what an injection did. */
export type Heal = () => Promise<void>;

export interface FaultKind<Type extends string, F extends Fields, Out extends FaultBase<Type>> {
  readonly type: Type;
  /** One line on what the fault does, for the JSON Schema. */
  readonly description: string;
  /** Its own fields, after the common at, type and duration, in the order the format lists them. */
  readonly fields: F;
  /** Checks across its own fields, after all are read (whether or not each was valid); false rejects. */
  check?(at: MappingAt<F>): boolean;
  /** The normalised fault from its own fields and its timing. */
  build(shape: Shape<F>, timing: FaultTiming): Out;
  /** One line: what the fault does, where (no timing). */
  describe(fault: Out, wording: FaultWording): string;
  /** What the history records about the fault besides its index, type and description. */
  historyValue?(fault: Out): Record<string, unknown>;
  /** Programs it runs on the local platform (a hook fault's commands), checked before the drill starts. */
  requirements?(fault: Out): Requirement[];
  /** Injects the fault and resolves to its heal; a fault that fails to start leaves nothing behind. */
  apply(fault: Out, context: ApplyContext): Promise<Heal>;
}

/** Any fault kind, as the registry holds them (its methods take that kind's own faults). */
export type AnyFaultKind = FaultKind<string, Fields, FaultBase>;

/** The normalised fault a kind reads. */
export type FaultOf<K> = K extends FaultKind<string, Fields, infer Out> ? Out : never;

/** A fault kind, with its types checked as one. */
export function defineFaultKind<Type extends string, F extends Fields, Out extends FaultBase<Type>>(
  kind: FaultKind<Type, F, Out>,
): FaultKind<Type, F, Out> {
  return kind;
}

/** The owner name a fault's changes carry, so heals undo only its own. */
export function faultReason(index: number): string {
  return `fault-${index}`;
}
