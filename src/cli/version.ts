// Our own version, for --version. yargs would guess it from the package.json nearest the working
// directory: someone else's project, or none ("unknown"), once the CLI is installed as a package.
import { readFileSync } from "node:fs";

/** The version in failover-drill's package.json, found above this module (in src/ or dist/src/). */
export function ownVersion(from: URL = new URL(".", import.meta.url)): string {
  for (let dir = from; ; dir = new URL("..", dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "failover-drill" && pkg.version !== undefined) return pkg.version;
    } catch {
      // No package.json here, or not ours: keep walking up.
    }
    if (new URL("..", dir).href === dir.href) return "unknown";
  }
}
