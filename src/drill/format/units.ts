// Values with units (durations, rates, sizes, bandwidths, microseconds) as drill files write them, with
// the JSON Schema patterns that mirror the parsers' grammars (test/unit/drill-schema.test.ts keeps the
// two equal).
import {
  BANDWIDTH_EXAMPLE,
  formatDuration,
  MICROS_EXAMPLE,
  parseBandwidth,
  parseMicros,
  parseSize,
  SIZE_EXAMPLE,
} from "../duration.ts";
import { measure } from "../schema/scalars.ts";
import { named, refine, type ValueSpec } from "../schema/spec.ts";

/** The text of a duration with its unit, or 0 with any number of zeros. */
export const DURATION_PATTERN = "[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h)|0+(?:\\.0+)?";
export const RATE_PATTERN = "[0-9]+(?:\\.[0-9]+)?(?:/(?:s|m|h))?";

const durationSpec = named<number>("duration", {
  read: (field, { reader }) => reader.duration(field, { positive: false }),
  schema: () => ({
    description: "A number with a unit (ms, s, m, h), decimals allowed; a bare number only if 0.",
    anyOf: [{ type: "string", pattern: `^(?:${DURATION_PATTERN})$` }, { const: 0 }],
  }),
  written: formatDuration,
});

/** Milliseconds. `positive` refuses 0 where a zero duration makes no sense (an interval, a timeout). */
export function duration({ positive }: { positive: boolean }): ValueSpec<number> {
  if (!positive) return durationSpec;
  return { ...durationSpec, read: (field, { reader }) => reader.duration(field, { positive: true }) };
}

/** Per second, greater than 0. */
export const rate = named<number>("rate", {
  read: (field, { reader }) => reader.rate(field),
  schema: () => ({
    description: "Per second: 400/s, 24000/m, or a bare number.",
    anyOf: [
      { type: "string", pattern: `^${RATE_PATTERN}$` },
      { type: "number", exclusiveMinimum: 0 },
    ],
  }),
  written: (perSecond) => `${perSecond}/s`,
});

/** Whole bytes. */
export const size = named<number>("size", {
  ...measure(parseSize, SIZE_EXAMPLE),
  schema: () => ({
    description:
      "Bytes: a whole number, or with a unit (B, KB, MB, GB = powers of 1000; KiB, MiB = powers of 1024).",
    anyOf: [
      { type: "string", pattern: "^(?:[0-9]+|[0-9]+(?:\\.[0-9]+)?(?:B|KB|MB|GB|KiB|MiB))$" },
      { type: "integer", minimum: 0 },
    ],
  }),
});

/** Whole KB/s, Toxiproxy's bandwidth unit. */
export const bandwidth = named<number>("bandwidth", {
  ...measure(parseBandwidth, BANDWIDTH_EXAMPLE),
  schema: () => ({
    description:
      "Bytes per second with a unit: 64KB/s, 1MB/s (1 KB = 1000 bytes); whole KB/s, greater than 0 " +
      "(Toxiproxy reads 0 as no limit).",
    anyOf: [{ type: "string", pattern: "^(?=[^/]*[1-9])[0-9]+(?:\\.[0-9]+)?(?:B|KB|MB|GB|KiB|MiB)/s$" }],
  }),
});

/** Whole microseconds, for Toxiproxy's slicer delay. */
export const micros = named<number>("micros", {
  ...measure(parseMicros, MICROS_EXAMPLE),
  schema: () => ({
    description: "A short duration with a unit (us, ms, s); a bare number only if 0. Whole microseconds.",
    anyOf: [{ type: "string", pattern: "^(?:[0-9]+(?:\\.[0-9]+)?(?:us|ms|s)|0+(?:\\.0+)?)$" }, { const: 0 }],
  }),
});

/** A duration in whole milliseconds, Toxiproxy's unit for timeouts and delays. */
export const wholeMilliseconds = refine(duration({ positive: false }), (ms, field, { reader }) => {
  if (Number.isInteger(ms)) return ms;
  reader.report(field, `must be whole milliseconds (Toxiproxy's unit), got ${formatDuration(ms)}`);
  return undefined;
});
