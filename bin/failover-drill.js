#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm run build`, which `npm ci` and `npm pack` run). Tests
// drive the TypeScript sources in-process instead; their mocha setup rebuilds dist/ when it is stale.
import { existsSync } from "node:fs";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  // Installed with --ignore-scripts, or a clone not built yet: say what to do rather than a stack trace.
  process.stderr.write(
    "failover-drill: the compiled CLI (dist/) is missing; run `npm run build` in " +
      `${new URL("..", import.meta.url).pathname} first\n`,
  );
  process.exit(4);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
