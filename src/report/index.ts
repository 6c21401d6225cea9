// The report formats, each a pure rendering of one Summary.
export { renderConsole } from "./console.ts";
export { renderHtml } from "./html.ts";
export { renderJson, parseSummaryJson } from "./json.ts";
export { renderJunit } from "./junit.ts";
export { renderMarkdown } from "./markdown.ts";
