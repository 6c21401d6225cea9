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
