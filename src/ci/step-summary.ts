// GitHub Actions' job summary: when $GITHUB_STEP_SUMMARY names a file, Markdown appended to it is
// shown on the run's page. Appending never throws: a summary that cannot be written is reported.
import { appendFile } from "node:fs/promises";

export interface StepSummaryResult {
  /** The file written, or null when the variable is not set. */
  file: string | null;
  error?: string;
}

export async function appendStepSummary(
  markdown: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StepSummaryResult> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === "") return { file: null };
  try {
    await appendFile(file, markdown.endsWith("\n") ? markdown + "\n" : markdown + "\n\n");
    return { file };
  } catch (err) {
    return { file, error: `could not append to $GITHUB_STEP_SUMMARY (${file}): ${(err as Error).message}` };
  }
}
