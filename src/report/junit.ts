// report.junit.xml: one testsuite per drill, one testcase per objective, so CI systems list them.
// A missed objective is a <failure>, an inconclusive one is <skipped> (it could not be decided).
import type { Summary } from "../checkers/types.ts";
import { fmtValue, objectiveLabel } from "./format.ts";
import { renderConsole } from "./console.ts";

function escapeXml(s: string): string {
  return (
    s
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
      // Characters XML 1.0 cannot carry at all.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "")
  );
}

const attrs = (pairs: Record<string, string | number>): string =>
  Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join("");

export function renderJunit(s: Summary): string {
  const tests = s.objectives.length;
  const failures = s.objectives.filter((o) => o.met === false).length;
  const skipped = s.objectives.filter((o) => o.met === null).length;
  const seconds = (s.durationMs / 1000).toFixed(3);
  const suite = {
    name: s.drill.name,
    tests,
    failures,
    errors: 0,
    skipped,
    time: seconds,
    timestamp: s.startedAt,
  };
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: "failover-drill", tests, failures, errors: 0, skipped, time: seconds })}>`,
    `  <testsuite${attrs(suite)}>`,
    "    <properties>",
    `      <property${attrs({ name: "status", value: s.status })}/>`,
    `      <property${attrs({ name: "startedAt", value: s.startedAt })}/>`,
    "    </properties>",
  ];
  for (const o of s.objectives) {
    const measured = fmtValue(o.measured, o.unit);
    const testcase = attrs({
      name: objectiveLabel(o),
      classname: `failover-drill.${s.drill.name}`,
      time: "0",
    });
    if (o.met === true) {
      lines.push(`    <testcase${testcase}/>`);
      continue;
    }
    lines.push(`    <testcase${testcase}>`);
    if (o.met === false) {
      const message = `${o.name} measured ${measured}, objective ${o.limit}`;
      lines.push(
        `      <failure${attrs({ message, type: "ObjectiveMissed" })}>${escapeXml(message)}</failure>`,
      );
    } else {
      const message = `inconclusive: ${o.reason ?? `${o.name} was not measured`}`;
      lines.push(`      <skipped${attrs({ message })}/>`);
    }
    lines.push("    </testcase>");
  }
  lines.push(
    `    <system-out>${escapeXml(renderConsole(s, { color: false }))}</system-out>`,
    "  </testsuite>",
    "</testsuites>",
  );
  return lines.join("\n") + "\n";
}
