// PostgreSQL WAL positions (pg_lsn) as text, e.g. "16/B374D848": the high and low 32 bits in hex.
// String comparison is wrong ("9/0" > "10/0"), so positions are compared as 64-bit numbers.
import type { ReplicationPositions } from "../types.ts";

export class LsnError extends Error {
  override name = "LsnError";
}

const LSN_PATTERN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** The byte position of an LSN as a bigint (64 bits do not fit a JavaScript number). */
export function parseLsn(lsn: string): bigint {
  const match = LSN_PATTERN.exec(lsn);
  if (match === null) throw new LsnError(`not a WAL position: ${JSON.stringify(lsn)}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** Negative when a is behind b, 0 when equal, positive when a is ahead (a sort comparator). */
export function compareLsn(a: string, b: string): number {
  const diff = parseLsn(a) - parseLsn(b);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

/** Bytes a is ahead of b (negative when behind), like pg_wal_lsn_diff(a, b). */
export function lsnDiff(a: string, b: string): number {
  return Number(parseLsn(a) - parseLsn(b));
}

/** The engine's replication positions: LSNs compared and measured in bytes, never as strings. */
export const lsnPositions: ReplicationPositions = {
  compare: compareLsn,
  diff(a: string, b: string): number | undefined {
    try {
      return lsnDiff(a.trim(), b.trim());
    } catch (err) {
      if (err instanceof LsnError) return undefined;
      throw err;
    }
  },
};
