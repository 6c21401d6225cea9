// report.html against literal summaries: the golden region-outage history (see golden-outage.ts: east
// killed at 5 s, west writable at 7.9 s, writes #3 and #4 acked by east lost) and a small fault-free
// history whose drill carries markup in every user-controlled string.
import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import type { Summary } from "../../src/checkers/types.ts";
import type { Objective } from "../../src/drill/types.ts";
import { Events, type FinalRead } from "../../src/history/types.ts";
import { renderHtml } from "../../src/report/index.ts";
import { outageReads, outageSummary as goldenSummary } from "./golden-outage.ts";

const objectives: Objective[] = [
  { metric: "detection", operator: "<", limit: 3000, source: "< 3s" },
  { metric: "rpo.lostWrites", operator: "==", limit: 0, source: "== 0" },
  { metric: "rto.max", operator: "<", limit: 20_000, source: "< 20s" },
];

const outageSummary = (finalReads = outageReads): Summary => goldenSummary({ objectives }, finalReads);

const HOSTILE_NAME = `<script>alert("name")</script>`;
const HOSTILE_DESCRIPTION = "<img src=x onerror=alert(1)> & a </section> too early";
const HOSTILE_NOTE = "</td></tr></table><script>alert('note')</script>";
const HOSTILE_ERROR = "<b>refused</b>";

/** No fault, three writes acked by east and present on it; the drill's strings are all markup. */
function hostileSummary(): Summary {
  const history = new HistoryBuilder()
    .runner(0, Events.topologyUp, {
      regions: [
        { name: "east", address: "127.0.1.1", role: "primary" },
        { name: "west", address: "127.0.2.1", role: "standby" },
      ],
    })
    .runner(100, Events.workloadStart)
    .resolve(0, 100, "127.0.1.1")
    .write(0, 1, 100, "ok", 110, "east")
    .write(0, 2, 300, "ok", 312, "east")
    .write(0, 3, 500, "ok", 509, "east")
    .runner(700, Events.workloadEnd)
    .build();
  const summary = analyze({
    drill: sampleDrill({
      name: HOSTILE_NAME,
      description: HOSTILE_DESCRIPTION,
      faults: [],
      objectives: [{ metric: "rpo.lostWrites", operator: "==", limit: 0, source: "== 0" }],
    }),
    history,
    finalReads: [
      { node: "east", reachable: true, role: "primary", ids: [1, 2, 3] },
      { node: "west", reachable: false, role: "unknown", ids: [], error: HOSTILE_ERROR },
    ],
    startedAt: "2026-01-01T00:00:00.000Z",
  });
  return { ...summary, notes: [...summary.notes, HOSTILE_NOTE] };
}

const VOID = new Set(["meta", "br", "hr", "img", "link", "input", "wbr"]);

/**
 * A small well-formedness check: every non-void tag closes in order, no markup hides in text, every
 * ampersand starts an entity. Returns the tag names seen, so callers can require the ones they need.
 */
function checkTags(html: string): Set<string> {
  assert.ok(html.startsWith("<!DOCTYPE html>\n"), "HTML5 doctype");
  const styleBody = /<style>[^<]*<\/style>/;
  assert.match(html, styleBody, "one inline style sheet without markup in it");
  const body = html.slice("<!DOCTYPE html>".length).replace(styleBody, "<style></style>");
  const stack: string[] = [];
  const seen = new Set<string>();
  let last = 0;
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/g)) {
    const text = body.slice(last, m.index);
    assert.ok(!/[<>]/.test(text), `stray markup in text: ${JSON.stringify(text.slice(0, 80))}`);
    assert.ok(!/&(?!(amp|lt|gt|quot|#39);)/.test(text), `bare ampersand in ${JSON.stringify(text)}`);
    last = m.index + m[0].length;
    const [, closing, name = ""] = m;
    const tag = name.toLowerCase();
    if (closing === "/") {
      assert.equal(stack.pop(), tag, `</${tag}> closes something else`);
    } else {
      seen.add(tag);
      if (!VOID.has(tag)) stack.push(tag);
    }
  }
  assert.equal(body.slice(last).trim(), "", "content after </html>");
  assert.deepEqual(stack, [], "unclosed elements");
  return seen;
}

const decode = (s: string): string =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

/** Every table row as its cells' text. */
function tableRows(html: string): string[][] {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? "").matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) =>
      decode((c[1] ?? "").replace(/<[^>]*>/g, "")).trim(),
    ),
  );
}

const rowStartingWith = (rows: string[][], first: string): string[] | undefined =>
  rows.find((r) => r[0] === first);

describe("HTML report", () => {
  const html = renderHtml(outageSummary());
  const rows = tableRows(html);

  it("is a self-contained page: inline style, no scripts, no external resources", () => {
    assert.ok(!/<script/i.test(html), "no script element");
    assert.ok(!/\s(src|href)=/i.test(html), "nothing to load");
    assert.ok(!/@import|url\(/i.test(html), "no stylesheet imports");
    assert.ok(html.includes("<title>Drill report: sample-outage (FAIL)</title>"));
  });

  it("closes every element it opens", () => {
    const seen = checkTags(html);
    for (const tag of ["html", "head", "body", "table", "tr", "td", "th", "section"])
      assert.ok(seen.has(tag), `has <${tag}>`);
  });

  it("shows the status in a coloured banner with the objectives' tally", () => {
    assert.match(html, /<div class="banner fail" role="status"><span class="status">FAIL<\/span>/);
    assert.ok(html.includes("2 of 3 objectives met, 1 missed"));
  });

  it("puts measured figures beside predicted ones with their uncertainty", () => {
    assert.deepEqual(rowStartingWith(rows, "detection (fault → primary declared down)"), [
      "detection (fault → primary declared down)",
      "2.5 s",
      "4 ms",
      "3 s (range 2 s – 3.5 s)",
    ]);
    assert.deepEqual(rowStartingWith(rows, "DNS last client (writable → resolved)"), [
      "DNS last client (writable → resolved)",
      "1.7 s",
      "200 ms",
      "≤ 2 s (TTL)",
    ]);
    // Predicted: 3 x 1 s + 500 ms detection, 400 ms promotion, 5 ms DNS update, 2 s TTL, 200 ms write
    // interval, 1 s request timeout.
    assert.deepEqual(rowStartingWith(rows, "RTO max"), [
      "RTO max",
      "4.7 s",
      "204 ms",
      "≤ 7.11 s (by profile below)",
    ]);
    assert.deepEqual(rowStartingWith(rows, "lost acknowledged writes"), [
      "lost acknowledged writes",
      "2",
      "exact",
      "> 0 possible (async)",
    ]);
  });

  it("tables the objectives with a coloured outcome", () => {
    assert.deepEqual(rowStartingWith(rows, "rpo.lostWrites"), ["rpo.lostWrites", "== 0", "2", "missed"]);
    assert.deepEqual(rowStartingWith(rows, "detection"), ["detection", "< 3s", "2.5 s", "met"]);
    assert.ok(html.includes('<span class="badge missed">missed</span>'));
    assert.ok(html.includes('<span class="badge met">met</span>'));
  });

  it("details the data loss with the lost ids and window", () => {
    assert.ok(html.includes("Lost acknowledged writes: <strong>2</strong>"));
    assert.ok(html.includes("<li>Lost window: 4.79 s</li>"));
    assert.ok(html.includes("Lost ids: <code>3, 4</code>"));
    assert.ok(html.includes("<li>Lost writes still present on other nodes (diverged): 2 (east: 2)</li>"));
  });

  it("includes write latency by phase, the timeline and the final state of every node", () => {
    assert.ok(rowStartingWith(rows, "before"), "a before-fault latency row");
    assert.ok(rowStartingWith(rows, "overall"), "an overall latency row");
    assert.deepEqual(rowStartingWith(rows, "7.500 s"), [
      "7.500 s",
      "controller declares east down after 3 failed probes",
    ]);
    assert.deepEqual(rowStartingWith(rows, "east"), [
      "east",
      "yes",
      "primary",
      "4",
      "0/3000000",
      "-256 bytes",
      "",
    ]);
  });

  it("marks an inconclusive drill and objective in their own colour", () => {
    const unreachable: FinalRead[] = [
      outageReads[0] as FinalRead,
      { node: "west", reachable: false, role: "unknown", ids: [], error: "connection refused" },
    ];
    const page = renderHtml(outageSummary(unreachable));
    assert.ok(page.includes('<div class="banner inconclusive" role="status">'));
    assert.ok(page.includes('<span class="badge inconclusive">inconclusive</span>'));
    checkTags(page);
  });

  it("draws the clients' RTOs as a histogram over the predicted range, with the profiles' table", () => {
    const summary = outageSummary();
    // The histogram is one of the charts at the top of the page; the profiles' table stays in its section.
    const chart = /<figure id="chart-rto-distribution"[^>]*>(.*?)<\/figure>/s.exec(html)?.[1] ?? "";
    const section = /<section id="rto">(.*?)<\/section>/s.exec(html)?.[1] ?? "";
    const bars = [...chart.matchAll(/<rect class="bar" [^>]*><title>(\d+) client\(s\)/g)].map((m) =>
      Number(m[1]),
    );
    assert.equal(bars.length, summary.measurements.rto.histogram.length);
    assert.equal(
      bars.reduce((a, b) => a + b, 0),
      summary.measurements.rto.clientsRecovered,
    );
    assert.match(chart, /<title>predicted 2\.4 s – 7\.11 s<\/title>/);
    assert.match(section, /<th>predicted range<\/th>/);
  });

  it("heads the page with failover figures only when there was a failover", () => {
    const label = (name: string): string => `<div class="label">${name}</div>`;
    assert.ok(html.includes(label("detection")) && html.includes(label("RTO max")));
    const noFault = renderHtml(hostileSummary());
    assert.ok(!noFault.includes(label("detection")) && !noFault.includes(label("RTO max")));
    assert.ok(noFault.includes(label("write latency p99")) && noFault.includes(label("lost writes")));
  });

  it("shows a passing drill as such", () => {
    assert.ok(renderHtml(hostileSummary()).includes('<div class="banner pass" role="status">'));
  });

  it("escapes markup in the drill name, description, notes and node errors", () => {
    const page = renderHtml(hostileSummary());
    assert.ok(!/<script/i.test(page), "no script element");
    assert.ok(!page.includes("<img"), "no image element");
    assert.ok(!page.includes("<b>"), "no bold element from the error");
    assert.ok(page.includes("&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;"), "escaped name");
    assert.ok(page.includes("&lt;img src=x onerror=alert(1)&gt; &amp; a &lt;/section&gt; too early"));
    assert.ok(page.includes("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(&#39;note&#39;)"));
    assert.ok(page.includes("&lt;b&gt;refused&lt;/b&gt;"));
    checkTags(page);
  });
});
