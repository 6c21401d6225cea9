// `npm run lint:cycles`: fails (exit 1) when the modules under the given directories import each
// other in a circle, printing every circle. Usage: check-import-cycles.ts <dir>...
import { readImportGraph } from "./import-graph.ts";
import { findImportCycles } from "./import-cycles.ts";

const roots = process.argv.slice(2);
if (roots.length === 0) {
  console.error("usage: check-import-cycles.ts <dir>...");
  process.exit(2);
}
const graph = readImportGraph(roots);
const { cycles, truncated } = findImportCycles(graph);
if (cycles.length === 0) {
  console.log(`no import circles among ${graph.size} modules in ${roots.join(", ")}`);
} else {
  console.error(`${cycles.length}${truncated ? "+" : ""} import circle(s):`);
  for (const cycle of cycles) console.error(`  ${cycle.join(" -> ")}`);
  if (truncated) console.error("  ... (more not listed)");
  process.exitCode = 1;
}
