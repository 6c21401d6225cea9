// A real headless browser for the report tests: Debian's Chromium (scripts/install-browser.sh) driven by
// puppeteer-core, which downloads nothing. `test/**/*.test.ts` runs the browser test too, so on a
// machine without Chromium it skips, loudly, unless FAILOVER_DRILL_BROWSER_TESTS=required (what
// `npm run test:all` sets after installing it), where a missing browser fails it.
import { accessSync, constants } from "node:fs";
import path from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** FAILOVER_DRILL_CHROMIUM when set (and only it), else the first system Chromium found, else null. */
export function chromiumPath(): string | null {
  const fromEnv = process.env.FAILOVER_DRILL_CHROMIUM;
  const onPath = (process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "chromium"));
  for (const candidate of fromEnv === undefined ? [...CANDIDATES, ...onPath] : [fromEnv]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/** The browser's path, or a skip (an error when the browser tests are required). */
export function chromiumOrSkip(context: Mocha.Context): string {
  const found = chromiumPath();
  if (found !== null) return found;
  if (process.env.FAILOVER_DRILL_BROWSER_TESTS === "required") {
    throw new Error("no Chromium found (bash scripts/install-browser.sh installs Debian's chromium)");
  }
  console.log("      skipped: no Chromium (bash scripts/install-browser.sh installs it)");
  context.skip();
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath,
    headless: true,
    // Root (CI, containers) cannot use Chromium's sandbox; /dev/shm may be small in containers.
    args: [
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
      "--disable-dev-shm-usage",
      "--disable-gpu",
      "--no-first-run",
      "--no-default-browser-check",
    ],
  });
}
