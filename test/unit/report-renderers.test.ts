// Renderers against the summary of the golden history (see golden-outage.ts): east is killed at 5 s,
// west is writable at 7.9 s, and writes #3 and #4 acked by east are lost.
import assert from "node:assert/strict";
import type { Summary } from "../../src/checkers/types.ts";
import type { Objective } from "../../src/drill/types.ts";
import type { FinalRead } from "../../src/history/types.ts";
import {
  parseSummaryJson,
  renderConsole,
  renderJson,
  renderJunit,
  renderMarkdown,
} from "../../src/report/index.ts";
import { outageReads as reachableReads, outageSummary } from "./golden-outage.ts";

const objectives: Objective[] = [
  { metric: "detection", operator: "<", limit: 3000, source: "< 3s" },
  { metric: "rpo.lostWrites", operator: "==", limit: 0, source: "== 0" },
  { metric: "rto.max", operator: "<", limit: 20_000, source: "< 20s" },
  { metric: "splitBrain", operator: "==", limit: 0, source: "== false" },
];

function summarise(finalReads = reachableReads, name = "sample-outage"): Summary {
  return outageSummary({ name, objectives }, finalReads);
}

/** A minimal XML check: balanced tags and the elements by name, enough to know CI can parse it. */
function parseXml(xml: string): { elements: Array<{ name: string; attrs: Record<string, string> }> } {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'), "XML declaration");
  const body = xml.slice(xml.indexOf("?>") + 2);
  const stack: string[] = [];
  const elements: Array<{ name: string; attrs: Record<string, string> }> = [];
  const tag = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (const m of body.matchAll(tag)) {
    const text = body.slice(last, m.index);
    assert.ok(!/[<>]/.test(text), `stray markup in text: ${JSON.stringify(text.slice(0, 80))}`);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(text), "unescaped ampersand in text");
    last = m.index + m[0].length;
    const [, closing, name = "", rawAttrs = "", selfClosing] = m;
    if (closing === "/") {
      assert.equal(stack.pop(), name, `closing </${name}> out of order`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs.matchAll(/([\w.-]+)="([^"]*)"/g)) {
      assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(a[2] ?? ""), `unescaped ampersand in ${a[1]}`);
      attrs[a[1] ?? ""] = a[2] ?? "";
    }
    elements.push({ name, attrs });
    if (selfClosing !== "/") stack.push(name);
  }
  assert.equal(body.slice(last).trim(), "", "trailing content after the root element");
  assert.deepEqual(stack, [], "unclosed elements");
  return { elements };
}

describe("markdown report", () => {
  const md = renderMarkdown(summarise());

  it("states the drill, its status and what it did", () => {
    assert.match(md, /^# Drill report: sample-outage\n/);
    assert.ok(md.includes("**Status: FAIL**"));
    assert.ok(md.includes("- Workload: 2 clients, 10 writes/s in total for 12 s"));
    assert.ok(md.includes("  0. at 5 s: region outage of east (kill) for 6 s"));
  });

  it("puts measured figures beside predicted ones with their uncertainty", () => {
    assert.ok(
      md.includes("| detection (fault -> primary declared down) | 2.5 s | 4 ms | 3 s (range 2 s – 3.5 s) |"),
    );
    assert.ok(md.includes("| promotion (declared down -> writable) | 400 ms |"));
    assert.ok(md.includes("| DNS last client (writable -> resolved) | 1.7 s | 200 ms | ≤ 2 s (TTL) |"));
    assert.ok(md.includes("| 4.6 s | 204 ms | 5 s (detection + TTL, excludes promotion) |"));
    assert.ok(md.includes("| RTO max | 4.7 s | 204 ms |"));
  });

  it("tables the objectives with their outcome", () => {
    assert.ok(md.includes("| rpo.lostWrites | == 0 | 2 | missed |"));
    assert.ok(md.includes("| detection | < 3s | 2.5 s | met |"));
  });

  it("details the data loss with the lost ids and window", () => {
    assert.ok(md.includes("- Lost acknowledged writes: 2"));
    assert.ok(md.includes("- Lost window: 4.79 s"));
    assert.ok(md.includes("Lost ids: 3, 4"));
    assert.ok(md.includes("- Lost writes still present on other nodes (diverged): 2 (east: 2)"));
  });

  it("includes the timeline and the final state of every node", () => {
    assert.ok(md.includes("| 7.500 s | controller declares east down after 3 failed probes |"));
    assert.ok(md.includes("| east | yes | primary | 4 | 0/3000000 | -256 bytes |  |"));
  });

  it("shouts about failed writes that are present", () => {
    const reads = [
      reachableReads[0] as FinalRead,
      { ...(reachableReads[1] as FinalRead), ids: [1, 2, 6, 7, 8] },
    ];
    assert.ok(renderMarkdown(summarise(reads)).includes("> **Correctness bug:** 1 write(s) were reported"));
  });
});

describe("JUnit report", () => {
  it("is well-formed with one testcase per objective and a failure for the missed one", () => {
    const { elements } = parseXml(renderJunit(summarise()));
    const suite = elements.find((e) => e.name === "testsuite");
    assert.deepEqual(
      [suite?.attrs.name, suite?.attrs.tests, suite?.attrs.failures, suite?.attrs.skipped],
      ["sample-outage", "4", "1", "0"],
    );
    const cases = elements.filter((e) => e.name === "testcase").map((e) => e.attrs.name);
    assert.deepEqual(cases, [
      "detection &lt; 3s",
      "rpo.lostWrites == 0",
      "rto.max &lt; 20s",
      "splitBrain == false",
    ]);
    assert.equal(elements.filter((e) => e.name === "failure").length, 1);
  });

  it("marks an inconclusive objective as skipped with the reason", () => {
    const unreachable: FinalRead[] = [
      reachableReads[0] as FinalRead,
      { node: "west", reachable: false, role: "unknown", ids: [], error: "connection refused" },
    ];
    const xml = renderJunit(summarise(unreachable));
    const { elements } = parseXml(xml);
    assert.equal(elements.filter((e) => e.name === "skipped").length, 1);
    assert.equal(elements.filter((e) => e.name === "failure").length, 0);
    assert.ok(xml.includes('<skipped message="inconclusive: the surviving primary west was unreachable'));
  });

  it("escapes markup in the drill name and stays parseable", () => {
    const { elements } = parseXml(renderJunit(summarise(reachableReads, 'a<b>&"c"')));
    assert.equal(elements.find((e) => e.name === "testsuite")?.attrs.name, "a&lt;b&gt;&amp;&quot;c&quot;");
  });
});

describe("JSON report", () => {
  it("round-trips the summary including the embedded drill", () => {
    const summary = summarise();
    const back = parseSummaryJson(renderJson(summary));
    assert.deepEqual(back, summary);
    assert.equal(back.drill.name, "sample-outage");
    assert.deepEqual(back.drill.objectives, objectives);
  });
});

describe("console summary", () => {
  it("shows the status, key figures with predictions, objectives and the lost ids", () => {
    const text = renderConsole(summarise());
    assert.match(text, /^drill sample-outage: FAIL/);
    assert.ok(text.includes("detection    2.5 s ± 4 ms   predicted 3 s [2 s – 3.5 s]"));
    assert.ok(text.includes("lost ids: 3, 4"));
    assert.ok(text.includes("MISSED rpo.lostWrites == 0   measured 2"));
    assert.ok(text.includes("met    rto.max < 20s   measured 4.7 s"));
    assert.ok(!text.includes("\x1b["), "no colour unless asked");
  });

  it("colours the status when asked", () => {
    assert.ok(renderConsole(summarise(), { color: true }).includes("\x1b[31mFAIL\x1b[0m"));
  });
});
