// The report formats, each a pure rendering of one Summary. REPORT_FILES is the registry the runner
// writes every run's files from: adding a format = its renderer module, one line here, its golden test.
import type { Summary } from "../summary/types.ts";
import { renderHtml } from "./html.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";

export { renderConsole } from "./console.ts";
export { renderHtml } from "./html.ts";
export { renderJson, parseSummaryJson } from "./json.ts";
export { renderJunit } from "./junit.ts";
export { renderMarkdown } from "./markdown.ts";

export interface ReportFile {
  /** File name in the run's report directory. */
  file: string;
  render: (summary: Summary) => string;
}

export const REPORT_FILES: readonly ReportFile[] = [
  { file: "report.json", render: renderJson },
  { file: "report.md", render: renderMarkdown },
  { file: "report.junit.xml", render: renderJunit },
  { file: "report.html", render: renderHtml },
];
