// The files a run leaves behind (history.jsonl, final-state.json, report.json) each carry a
// formatVersion, so a reader can refuse a file it would misread instead of guessing. Readers accept
// every version up to their own and say plainly what is wrong with a file, naming it (and the line).

/** A stored file that cannot be read as what it claims to be: `message` names the file and the problem. */
export class FormatError extends Error {
  override name = "FormatError";
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line?: number,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${problem}`);
  }
}

/**
 * The version `found` in `file`, when this reader understands it (1 .. supported); otherwise a
 * FormatError saying why: missing, not a whole number, or newer than this failover-drill.
 */
export function checkFormatVersion(found: unknown, supported: number, file: string, line?: number): number {
  if (found === undefined) {
    throw new FormatError(
      file,
      "no formatVersion: not written by failover-drill, or by a version from before its files were versioned",
      line,
    );
  }
  if (typeof found !== "number" || !Number.isInteger(found) || found < 1) {
    throw new FormatError(
      file,
      `formatVersion must be a whole number from 1, got ${JSON.stringify(found)}`,
      line,
    );
  }
  if (found > supported) {
    throw new FormatError(
      file,
      `formatVersion ${found} is newer than this failover-drill reads (up to ${supported}): use a newer failover-drill`,
      line,
    );
  }
  return found;
}

/** What JSON.parse makes of `text`, or a FormatError naming the file (and line) and the parser's complaint. */
export function parseJson(text: string, file: string, line?: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FormatError(file, `not JSON: ${(err as Error).message}`, line);
  }
}

export const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
