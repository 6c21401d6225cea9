// The trend store's verdict on a run just appended: what `run`, `matrix`, the step summary and the
// notifications report as regressions. Never throws: a store that cannot be read means no verdict.
import { assessLatest, DEFAULT_TREND_OPTIONS, type RunAssessment, type TrendOptions } from "./regressions.ts";
import { readIndex } from "./store.ts";

export interface LatestVerdict {
  /** null when the store could not be read or its newest run is not `run`. */
  assessment: RunAssessment | null;
  warnings: string[];
}

/** The assessment of the newest run in `indexFile`, provided it is `run` (its path in the index). */
export async function latestVerdict(
  indexFile: string,
  run: string,
  options: TrendOptions = DEFAULT_TREND_OPTIONS,
): Promise<LatestVerdict> {
  try {
    const index = await readIndex(indexFile);
    const assessment = assessLatest(index.entries, options);
    return {
      assessment: assessment !== null && assessment.entry.run === run ? assessment : null,
      warnings: index.warnings,
    };
  } catch (err) {
    return { assessment: null, warnings: [`trend store not read: ${(err as Error).message}`] };
  }
}
