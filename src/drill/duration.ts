// Durations and rates as drill files write them ("1.5s", "400/s"), turned into plain numbers.
// A bare number is refused for durations (is "5" seconds or milliseconds?) except 0, which is 0 in
// every unit. The JSON Schema mirrors these grammars; test/unit/drill-schema.test.ts keeps them equal.

/** A duration or rate that cannot be read; the message says what was expected. */
export class UnitError extends Error {
  override readonly name = "UnitError";
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
type DurationUnit = keyof typeof UNIT_MS;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const BARE_NUMBER = /^-?\d+(?:\.\d+)?$/;
export const DURATION_EXAMPLE = 'a duration like "500ms", "1.5s", "2m" or "1h", or 0';

/** Milliseconds, rounded to the microsecond so that "1.1s" is 1100 and not 1100.0000000000002. */
export function parseDuration(text: string | number): number {
  if (typeof text === "number") {
    if (text === 0) return 0;
    if (text < 0) throw new UnitError(`must not be negative, got ${text}`);
    if (!Number.isFinite(text)) throw new UnitError(`expected ${DURATION_EXAMPLE}`);
    throw new UnitError(
      `a bare number is ambiguous; add a unit, e.g. "${text}s" or "${text}ms" (units: ms, s, m, h)`,
    );
  }
  const trimmed = text.trim();
  if (trimmed.startsWith("-")) {
    throw new UnitError(`must not be negative, got "${trimmed}"`);
  }
  if (BARE_NUMBER.test(trimmed)) {
    if (Number(trimmed) === 0) return 0;
    return parseDuration(Number(trimmed));
  }
  const match = DURATION.exec(trimmed);
  if (!match) throw new UnitError(`expected ${DURATION_EXAMPLE}, got "${trimmed}"`);
  const [, amount, unit] = match as unknown as [string, string, DurationUnit];
  return Math.round(Number(amount) * UNIT_MS[unit] * 1000) / 1000;
}

/** An exact, readable form: 3600000 -> "1h", 90000 -> "90s", 1500 -> "1.5s", 20 -> "20ms", 0 -> "0s". */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return "0s";
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  if (ms >= UNIT_MS.s) return `${Number((ms / UNIT_MS.s).toFixed(6))}s`;
  return `${Number(ms.toFixed(3))}ms`;
}

const RATE = /^(\d+(?:\.\d+)?)(?:\/(s|m|h))?$/;
export const RATE_EXAMPLE = 'a rate like "400/s", "24000/m" or 400 (per second)';

/** Per second. "400/s", "24000/m", "400" and 400 are all 400 per second. */
export function parseRate(text: string | number): number {
  if (typeof text === "number") {
    if (!Number.isFinite(text) || text < 0) throw new UnitError(`expected ${RATE_EXAMPLE}, got ${text}`);
    return text;
  }
  const trimmed = text.trim();
  const match = RATE.exec(trimmed);
  if (!match) throw new UnitError(`expected ${RATE_EXAMPLE}, got "${trimmed}"`);
  const [, amount, unit = "s"] = match as unknown as [string, string, DurationUnit | undefined];
  return (Number(amount) * UNIT_MS.s) / UNIT_MS[unit ?? "s"];
}

const MICRO_UNITS = { us: 1, ms: 1_000, s: 1_000_000 } as const;
const MICROS = /^(\d+(?:\.\d+)?)(us|ms|s)$/;
export const MICROS_EXAMPLE = 'a short duration like "500us", "2ms" or "0.1s", or 0';

/** Whole microseconds, for Toxiproxy's slicer delay: "500us", "2ms", "0.1s" or 0. */
export function parseMicros(text: string | number): number {
  const trimmed = String(text).trim();
  if (trimmed.startsWith("-")) throw new UnitError(`must not be negative, got ${JSON.stringify(text)}`);
  if (typeof text === "number" || BARE_NUMBER.test(trimmed)) {
    const value = Number(text);
    if (value === 0) return 0;
    if (!Number.isFinite(value)) throw new UnitError(`expected ${MICROS_EXAMPLE}`);
    throw new UnitError(`a bare number is ambiguous; add a unit, e.g. "${value}us" or "${value}ms"`);
  }
  const match = MICROS.exec(trimmed);
  if (!match) throw new UnitError(`expected ${MICROS_EXAMPLE}, got "${trimmed}"`);
  const [, amount, unit] = match as unknown as [string, string, keyof typeof MICRO_UNITS];
  const micros = Math.round(Number(amount) * MICRO_UNITS[unit] * 1000) / 1000;
  if (!Number.isInteger(micros)) throw new UnitError(`must be whole microseconds, got "${trimmed}"`);
  return micros;
}

// Decimal units, as Toxiproxy counts its bandwidth (1 KB = 1000 bytes); KiB/MiB for binary sizes.
const SIZE_UNITS = { B: 1, KB: 1_000, MB: 1_000_000, GB: 1_000_000_000, KiB: 1_024, MiB: 1_048_576 } as const;
type SizeUnit = keyof typeof SIZE_UNITS;
const SIZE = /^(\d+(?:\.\d+)?)(B|KB|MB|GB|KiB|MiB)$/;
const BANDWIDTH = /^(\d+(?:\.\d+)?)(B|KB|MB|GB|KiB|MiB)\/s$/;
export const SIZE_EXAMPLE = 'a size like 512, "64KB" or "1MB" (1 KB = 1000 bytes; KiB, MiB are binary)';
export const BANDWIDTH_EXAMPLE = 'a bandwidth like "64KB/s" or "1MB/s" (1 KB = 1000 bytes)';

/** Whole bytes: 512, "512B", "64KB" (64000), "1MiB" (1048576). */
export function parseSize(text: string | number): number {
  if (typeof text === "number") {
    if (text < 0) throw new UnitError(`must not be negative, got ${text}`);
    if (!Number.isInteger(text)) throw new UnitError(`expected ${SIZE_EXAMPLE}, got ${text}`);
    return text;
  }
  const trimmed = text.trim();
  if (trimmed.startsWith("-")) throw new UnitError(`must not be negative, got "${trimmed}"`);
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = SIZE.exec(trimmed);
  if (!match) throw new UnitError(`expected ${SIZE_EXAMPLE}, got "${trimmed}"`);
  const [, amount, unit] = match as unknown as [string, string, SizeUnit];
  const bytes = Math.round(Number(amount) * SIZE_UNITS[unit] * 1000) / 1000;
  if (!Number.isInteger(bytes)) throw new UnitError(`must be whole bytes, got "${trimmed}"`);
  return bytes;
}

/** Whole KB/s (Toxiproxy's bandwidth unit): "64KB/s" -> 64, "1MB/s" -> 1000. */
export function parseBandwidth(text: string | number): number {
  // Toxiproxy reads a rate of 0 as "no limit", the opposite of what 0 suggests.
  const zero = "must be greater than 0 (Toxiproxy reads 0 as no limit; a blackhole fault stops all data)";
  if (text === 0 || text === "0") throw new UnitError(zero);
  if (typeof text === "number") {
    if (text < 0) throw new UnitError(`must not be negative, got ${text}`);
    throw new UnitError(`a bare number is ambiguous; add a unit, e.g. "${text}KB/s"`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith("-")) throw new UnitError(`must not be negative, got "${trimmed}"`);
  const match = BANDWIDTH.exec(trimmed);
  if (!match) throw new UnitError(`expected ${BANDWIDTH_EXAMPLE}, got "${trimmed}"`);
  const [, amount, unit] = match as unknown as [string, string, SizeUnit];
  const kbPerSecond = Math.round((Number(amount) * SIZE_UNITS[unit] * 1000) / SIZE_UNITS.KB) / 1000;
  if (kbPerSecond === 0) throw new UnitError(zero);
  if (!Number.isInteger(kbPerSecond)) {
    throw new UnitError(`must be whole KB/s (Toxiproxy's unit, 1 KB = 1000 bytes), got "${trimmed}"`);
  }
  return kbPerSecond;
}
