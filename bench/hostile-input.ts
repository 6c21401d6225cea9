// `npm run bench:hostile`: what the loaders' bounds (src/drill/yaml-guard.ts, src/drill/limits.ts)
// protect against, printed, not asserted: the time and memory of loading files at and beyond each
// limit, in this process. docs/drill-format.md ("Limits") quotes the figures.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Parser } from "yaml";
import { parseDrill } from "../src/drill/load.ts";
import { parseMatrix } from "../src/matrix/load.ts";
import { MAX_YAML_BYTES } from "../src/drill/yaml-guard.ts";

function measure(label: string, fn: () => unknown): void {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  let outcome = "accepted";
  try {
    fn();
  } catch (err) {
    outcome = `refused: ${(err as Error).message.split("\n")[1]?.slice(0, 90) ?? (err as Error).message.slice(0, 90)}`;
  }
  const ms = performance.now() - start;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  console.log(
    `${label.padEnd(52)} ${ms.toFixed(0).padStart(7)} ms  ${heapMb.toFixed(0).padStart(5)} MB heap  ${outcome}`,
  );
}

const base = "name: x\nregions: [{name: a, role: primary}, {name: b, role: standby}]\n";
const items = (n: number) => `description: [${Array(n).fill("a").join(", ")}]\n`;
const flowItems = Math.floor((MAX_YAML_BYTES - 100) / 3);
const depth = (n: number) => `description: ${"[".repeat(n)}${"]".repeat(n)}\n`;
const bomb = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ..."bcdefghi".split("").map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`),
].join("\n");

console.log(
  `Limits: ${MAX_YAML_BYTES / 1024} KiB per file, 64 levels, 1000 aliases, 100000 values after aliases\n`,
);
const outage = readFileSync("drills/region-outage.yaml", "utf8");
measure(`drills/region-outage.yaml (${outage.length} bytes)`, () =>
  parseDrill(outage, "drills/region-outage.yaml"),
);
measure(`a flow list of ${flowItems} items (at the limit)`, () =>
  parseDrill(base + items(flowItems), "x.yaml"),
);
measure("a string as long as the limit", () =>
  parseDrill(`${base}description: "${"x".repeat(MAX_YAML_BYTES - 200)}"\n`, "x.yaml"),
);
measure("the yaml parser alone on 8x the limit, unbounded", () => {
  for (const _ of new Parser().parse(base + items(flowItems * 8)));
});
measure("8x the limit: refused by size", () => parseDrill(base + items(flowItems * 8), "x.yaml"));
measure("400 levels: the yaml parser alone, unbounded", () => {
  for (const _ of new Parser().parse(base + depth(400)));
});
measure("100000 levels: refused by depth", () => parseDrill(base + depth(100_000), "x.yaml"));
measure("alias bomb (9^9 values): refused", () => parseDrill(`${bomb}\n${base}`, "x.yaml"));
const values = (unit: string) => `[${Array.from({ length: 20 }, (_, i) => `${i + 1}${unit}`).join(", ")}]`;
measure("matrix of 64 million cells: refused before the grid", () =>
  parseMatrix(
    `name: m\nbase: b.yaml\nparameters:\n  workload.clients: ${values("")}\n  recovery.wait: ${values("s")}\n` +
      `  dns.ttl: ${values("s")}\n  workload.requestTimeout: ${values("s")}\n  workload.duration: ${values("m")}\n` +
      `  network.interRegionLatency: ${values("ms")}\n`,
    "m.yaml",
  ),
);
measure("matrix of 1000 cells (at the limit): parsed and expanded", () =>
  parseMatrix(
    `name: m\nbase: b.yaml\nparameters:\n  dns.ttl: ${values("s")}\n  workload.clients: [${Array.from({ length: 50 }, (_, i) => i + 1).join(", ")}]\n`,
    "m.yaml",
  ),
);
