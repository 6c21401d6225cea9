// latency: matching links delay data by a one-way latency (± jitter), Toxiproxy's latency toxic.
import { required, withDefault } from "../drill/schema/fields.ts";
import { duration } from "../drill/format/units.ts";
import type { FaultBase } from "./kind.ts";
import { linkFaultKind, type LinkFields } from "./link.ts";

export type LatencyFault = FaultBase<"latency"> & {
  /** One way, added in each selected direction. */
  latencyMs: number;
  jitterMs: number;
} & LinkFields;

export const latency = linkFaultKind({
  type: "latency",
  toxiproxyType: "latency",
  description: "Latency added on matching links.",
  fields: {
    latency: required(duration({ positive: true }), 'the one-way delay to add, e.g. "200ms"', {
      as: "latencyMs",
      description: "One-way delay added.",
    }),
    jitter: withDefault(duration({ positive: false }), 0, {
      as: "jitterMs",
      description: "Random variation around latency.",
    }),
  },
  build: ({ latencyMs, jitterMs }, link, timing): LatencyFault => ({
    type: "latency",
    ...timing,
    latencyMs,
    jitterMs,
    ...link,
  }),
  attributes: (f) => ({ latency: Math.round(f.latencyMs), jitter: Math.round(f.jitterMs) }),
  what: (f, w) => `${w.name(f.type)} ${w.plusMinus(w.duration(f.latencyMs), w.duration(f.jitterMs))}`,
});
