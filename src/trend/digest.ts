// A short digest of a drill's normalised definition (as loaded: units in ms, defaults filled in), so
// a trend shows where the drill itself changed between runs. Left out: the description (prose) and
// the app's working directory (the absolute path of the checkout, which differs between machines).
import { createHash } from "node:crypto";
import type { Drill } from "../drill/types.ts";

/** JSON with mapping keys sorted at every level, so key order never changes the digest. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** "sha256:" and the first 16 hex digits of the SHA-256 of the canonical drill. */
export function drillDigest(drill: Drill): string {
  const { description: _description, ...rest } = drill;
  // A report.json from an older version may embed a drill without `app`.
  const app = (drill.app as Drill["app"] | undefined) ?? {};
  const { workingDir: _workingDir, ...portable } = app as Partial<Drill["app"]>;
  const hash = createHash("sha256")
    .update(canonical({ ...rest, app: portable }))
    .digest("hex");
  return `sha256:${hash.slice(0, 16)}`;
}
