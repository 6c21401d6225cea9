// A trend as console text and as Markdown (trend.md), from the same content (content.ts).
import {
  figuresTable,
  FLAG,
  headline,
  latestLines,
  runsTable,
  settingsLine,
  type Cell,
  type Table,
} from "./content.ts";
import type { Trend } from "./trend.ts";

const cellText = (c: Cell): string => (c.flag === true ? `${c.text} ${FLAG}` : c.text);

/** Columns padded to their widest cell. */
export function textTable(t: Table, paint: (c: Cell, s: string) => string = (_c, s) => s): string[] {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => cellText(r[i]!).length)));
  const line = (cells: readonly Cell[]): string =>
    cells
      .map((c, i) => paint(c, cellText(c).padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(t.header.map((text) => ({ text }))), ...t.rows.map(line)];
}

export function renderTrendConsole(t: Trend, opts: { color?: boolean } = {}): string {
  const red = (s: string): string => (opts.color === true ? `\x1b[31m${s}\x1b[0m` : s);
  const latest = latestLines(t);
  return [
    headline(t),
    latest.verdict,
    ...latest.regressions.map((r) => red(`  ${FLAG} ${r}`)),
    "",
    ...textTable(runsTable(t), (c, s) => (c.flag === true ? red(s) : s)),
    "",
    ...textTable(figuresTable(t)),
    ...t.warnings.map((w) => `warning: ${w}`),
  ].join("\n");
}

const escapeCell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdownTable(t: Table): string {
  const line = (cells: readonly Cell[]): string =>
    `| ${cells.map((c) => escapeCell(c.flag === true ? `**${c.text} ${FLAG}**` : c.text)).join(" | ")} |`;
  return [
    line(t.header.map((text) => ({ text }))),
    `|${t.header.map(() => "---").join("|")}|`,
    ...t.rows.map(line),
  ].join("\n");
}

export function renderTrendMarkdown(t: Trend): string {
  const latest = latestLines(t);
  return (
    [
      `# ${headline(t)}`,
      "",
      latest.verdict + (latest.regressions.length > 0 ? ":" : "."),
      ...(latest.regressions.length > 0 ? ["", ...latest.regressions.map((r) => `- ${FLAG} ${r}`)] : []),
      "",
      "## Runs",
      "",
      markdownTable(runsTable(t)),
      "",
      `${FLAG} marks a regression in that run.`,
      "",
      "## Figures",
      "",
      markdownTable(figuresTable(t)),
      "",
      settingsLine(t),
      ...(t.warnings.length > 0 ? ["", "## Warnings", "", ...t.warnings.map((w) => `- ${w}`)] : []),
    ].join("\n") + "\n"
  );
}
