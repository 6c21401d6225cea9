// report.html of a real run of drills/region-outage.yaml in headless Chromium: the page loads nothing
// and logs no error, every chart has its marks and the failover's milestones, and a screenshot of the
// charts is kept in reports/screenshots/ (CI uploads reports/ as an artifact).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "puppeteer-core";
import type { Summary } from "../../src/checkers/types.ts";
import { loadDrill } from "../../src/drill/load.ts";
import { chartBlocks } from "../../src/report/charts/index.ts";
import { runDrill } from "../../src/runner/runner.ts";
import { chromiumOrSkip, launchChromium } from "./browser.ts";

const SCREENSHOTS = path.resolve("reports/screenshots");

/** What the page shows, read in the browser from the rendered DOM. */
interface Rendered {
  charts: Array<{ cls: string; title: string; desc: string; width: number; height: number }>;
  bars: { ok: number; fail: number; rto: number; phases: number };
  points: number;
  lagLines: number;
  markerLabels: string[];
  faultWindows: number;
  missing: string[];
}

/**
 * Runs in the page. A string, not a function: tsx compiles functions with helpers (__name) the page
 * does not have, and the test's types have no DOM.
 */
const READ_CHARTS = `(() => {
  const all = (selector) => [...document.querySelectorAll(selector)];
  return {
    charts: all("#charts svg.chart").map((svg) => {
      const box = svg.getBoundingClientRect();
      return {
        cls: svg.getAttribute("class") ?? "",
        title: svg.querySelector(":scope > title")?.textContent ?? "",
        desc: svg.querySelector(":scope > desc")?.textContent ?? "",
        width: box.width,
        height: box.height,
      };
    }),
    bars: {
      ok: all("svg.throughput rect.bar.ok").length,
      fail: all("svg.throughput rect.bar.fail").length,
      rto: all("svg.rto rect.bar").length,
      phases: all("svg.phases rect.phase").length,
    },
    points: all("svg.latency circle").length,
    lagLines: all("svg.replication path.lag-line").length,
    markerLabels: all("svg.throughput .marker-label").map((t) => t.textContent ?? ""),
    faultWindows: all("svg.throughput rect.fault-window").length,
    missing: all("#charts .no-chart").map((p) => p.textContent ?? ""),
  };
})()`;

const readCharts = (page: Page): Promise<Rendered> => page.evaluate(READ_CHARTS) as Promise<Rendered>;

describe("report.html in headless Chromium (integration)", function () {
  this.timeout(300_000);
  let out: string | undefined;
  let browser: Browser | undefined;
  let summary: Summary;
  let rendered: Rendered;
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  const requests: string[] = [];

  before(async function () {
    const chromium = chromiumOrSkip(this);
    out = await mkdtemp(path.join(os.tmpdir(), "report-browser-"));
    const run = await runDrill(await loadDrill("drills/region-outage.yaml"), { out });
    summary = run.summary;
    browser = await launchChromium(chromium);
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warn") consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (err) => consoleErrors.push(`page error: ${String(err)}`));
    page.on("request", (r) => requests.push(r.url()));
    page.on("requestfailed", (r) => failedRequests.push(`${r.url()}: ${r.failure()?.errorText ?? "?"}`));
    const url = pathToFileURL(path.join(run.reportDir, "report.html")).href;
    const response = await page.goto(url, { waitUntil: "load" });
    assert.ok(response?.ok(), `loaded ${url}`);
    rendered = await readCharts(page);
    await mkdir(SCREENSHOTS, { recursive: true });
    const charts = await page.$("#charts");
    assert.ok(charts !== null, "the page has its charts section");
    await charts.screenshot({ path: path.join(SCREENSHOTS, "region-outage-charts.png") });
    await page.screenshot({ path: path.join(SCREENSHOTS, "region-outage-report.png"), fullPage: true });
  });

  after(async () => {
    await browser?.close();
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  });

  it("renders without console errors, and requests nothing but the page itself", () => {
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(failedRequests, []);
    assert.equal(requests.length, 1, requests.join(", "));
  });

  /** A failover the drill measured end to end; a saturated machine can make a run less clean. */
  const cleanFailover = (): boolean => {
    const m = summary.measurements;
    return m.detection.ms !== null && m.promotion.ms !== null && m.rto.clientsNotRecovered === 0;
  };

  it("draws every chart its data allows, each with a title and a description, at a visible size", () => {
    const blocks = chartBlocks(summary);
    const drawn = blocks.flatMap((b) => (b.svg === null ? [] : [/^<svg class="([^"]+)"/.exec(b.svg)?.[1]]));
    assert.deepEqual(
      rendered.charts.map((c) => c.cls),
      drawn,
    );
    for (const cls of ["chart throughput", "chart latency", "chart replication", "chart rto histogram"])
      assert.ok(drawn.includes(cls), `${cls} is drawn`);
    if (cleanFailover()) assert.equal(drawn[0], "chart phases");
    for (const c of rendered.charts) {
      assert.ok(c.title.length > 0 && c.desc.length > 20, `${c.cls} has a title and a description`);
      assert.ok(c.width >= 900 && c.height >= 100, `${c.cls} is drawn ${c.width}x${c.height}`);
    }
    assert.deepEqual(
      rendered.missing,
      blocks.flatMap((b) => (b.svg === null ? [b.missing] : [])),
      "a chart without data says why",
    );
  });

  it("gives every chart its marks", () => {
    assert.ok(rendered.bars.ok > 20, `ok bars: ${rendered.bars.ok}`);
    assert.ok(rendered.bars.fail > 0, "the outage shows as failed writes");
    assert.ok(rendered.points > 1000, `latency points: ${rendered.points}`);
    assert.equal(rendered.lagLines, 2, "eu-west's lag, in ms and in bytes");
    assert.ok(rendered.bars.rto > 0, "RTO histogram bars");
    if (cleanFailover()) assert.ok(rendered.bars.phases >= 6, `phase segments: ${rendered.bars.phases}`);
    assert.equal(rendered.faultWindows, 1);
  });

  it("marks the fault, detection, promotion, the DNS switch and the first and last client back", function () {
    const series = summary.series;
    assert.ok(series !== undefined);
    const inWindow = series.markers.filter((m) => m.tMs >= series.fromMs && m.tMs <= series.toMs);
    assert.deepEqual(
      rendered.markerLabels,
      inWindow.map((m) => m.label),
    );
    if (!cleanFailover()) {
      console.log(`      note: this run's failover was not clean (${summary.notes.join("; ")})`);
      return;
    }
    for (const label of ["fault", "detected", "writable (eu-west)", "DNS switched", "first client back"])
      assert.ok(rendered.markerLabels.includes(label), `marker "${label}"`);
    assert.equal(rendered.markerLabels.at(-1), "last client back");
  });
});
