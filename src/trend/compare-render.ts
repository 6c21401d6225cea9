// A comparison of two runs as console text and as Markdown.
import type { Comparison } from "./compare.ts";
import { markdownTable, textTable } from "./render-text.ts";

function changesLines(c: Comparison, bullet: string): string[] {
  if (c.drillChanges.length === 0) return ["The drill definitions are the same."];
  return [
    "The drill definitions differ:",
    ...c.drillChanges.map((line) => `${bullet}${line}`),
    ...(c.drillChangesTruncated ? [`${bullet}... (more not shown)`] : []),
  ];
}

export function renderCompareConsole(c: Comparison, opts: { color?: boolean } = {}): string {
  const red = (s: string): string => (opts.color === true ? `\x1b[31m${s}\x1b[0m` : s);
  const paint = (cell: { flag?: boolean }, s: string): string => (cell.flag === true ? red(s) : s);
  return [
    `Compare A ${c.a.name} with B ${c.b.name}`,
    "",
    ...textTable(c.summaryTable, paint),
    "",
    ...changesLines(c, "  "),
    "",
    ...textTable(c.figures, paint),
    "",
    ...(c.objectives.rows.length === 0 ? ["no objectives"] : textTable(c.objectives, paint)),
    "",
    ...textTable(c.predicted),
  ].join("\n");
}

export function renderCompareMarkdown(c: Comparison): string {
  return (
    [
      `# Compare ${c.a.summary.drill.name} runs`,
      "",
      `A: \`${c.a.name}\`, B: \`${c.b.name}\`. **Bold** marks what got worse from A to B.`,
      "",
      markdownTable(c.summaryTable),
      "",
      ...changesLines(c, "- "),
      "",
      "## Figures",
      "",
      markdownTable(c.figures),
      "",
      "## Objectives",
      "",
      c.objectives.rows.length === 0 ? "No objectives." : markdownTable(c.objectives),
      "",
      "## Predicted",
      "",
      markdownTable(c.predicted),
    ].join("\n") + "\n"
  );
}
