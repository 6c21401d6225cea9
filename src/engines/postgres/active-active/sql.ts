// The SQL of an active-active PostgreSQL topology, as pure text builders so the exact statements a
// drill runs are easy to read and test. Every region's node holds the same keyed tables; each
// publishes its own changes and subscribes to every other node WITH (origin = none), so a change
// travels one hop and never loops back. Conflicts are resolved on apply by a replica-side trigger
// (ENABLE REPLICA TRIGGER: it fires only in the apply worker, never for the app's own writes).
import type { ConflictStrategy, MergeFunction } from "../../types.ts";

/** A SQL string literal. */
export const literal = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** An identifier made of region or jurisdiction names (hyphens become underscores). */
export const ident = (s: string): string => s.toLowerCase().replace(/[^a-z0-9_]/g, "_");

export const TABLES_SQL = [
  // jurisdiction is part of the key so a publication's row filter may name it (PostgreSQL requires a
  // filter on an UPDATE publication to use replica-identity columns only).
  `CREATE TABLE IF NOT EXISTS registers (
     jurisdiction text NOT NULL, key text NOT NULL, home text NOT NULL DEFAULT '',
     value text NOT NULL DEFAULT '', tags text[] NOT NULL DEFAULT '{}',
     stamp bigint NOT NULL DEFAULT 0, origin text NOT NULL DEFAULT '',
     prev_stamp bigint NOT NULL DEFAULT 0, prev_origin text NOT NULL DEFAULT '',
     PRIMARY KEY (jurisdiction, key))`,
  // component: '' for a plain counter; the region's name for a PN-counter's per-region component.
  `CREATE TABLE IF NOT EXISTS counters (
     jurisdiction text NOT NULL, key text NOT NULL, component text NOT NULL DEFAULT '',
     home text NOT NULL DEFAULT '', p bigint NOT NULL DEFAULT 0, n bigint NOT NULL DEFAULT 0,
     stamp bigint NOT NULL DEFAULT 0, origin text NOT NULL DEFAULT '',
     prev_stamp bigint NOT NULL DEFAULT 0, prev_origin text NOT NULL DEFAULT '',
     PRIMARY KEY (jurisdiction, key, component))`,
  // Local to each node (never published): what its apply trigger resolved, and who was refused.
  `CREATE TABLE IF NOT EXISTS fd_conflicts (
     at timestamptz NOT NULL DEFAULT clock_timestamp(), tbl text NOT NULL, jurisdiction text NOT NULL,
     key text NOT NULL, component text NOT NULL, local_stamp bigint, local_origin text,
     remote_stamp bigint, remote_origin text, kept text NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS audit (
     at timestamptz NOT NULL DEFAULT clock_timestamp(), region text NOT NULL, op text NOT NULL,
     jurisdiction text NOT NULL, key text NOT NULL, home text NOT NULL, outcome text NOT NULL)`,
];

/** What the trigger does with a remote change, by strategy and table. */
function resolution(
  strategy: ConflictStrategy,
  merge: MergeFunction,
  table: "registers" | "counters",
): string {
  const lww = `IF newer THEN kept := 'remote'; ELSE kept := 'local'; skip := true; END IF;`;
  const none = `kept := 'remote';`;
  // A PN-counter component has one writer, its own region, whose changes arrive in order: apply them
  // all (comparing stamps would drop increments whenever that region's clock stepped back).
  if (strategy === "crdt" && table === "counters") return none;
  if (strategy === "lww" || strategy === "crdt") return lww;
  if (strategy === "none" || table === "counters") return none;
  // custom: the merged row keeps the newer version, so every region ends with the same one.
  const version = `IF NOT newer THEN NEW.stamp := OLD.stamp; NEW.origin := OLD.origin; END IF; kept := 'merged';`;
  if (merge === "union")
    return `NEW.tags := ARRAY(SELECT DISTINCT t FROM unnest(OLD.tags || NEW.tags) AS t ORDER BY t); ${version}`;
  return `IF OLD.value <> '' AND (NEW.value = '' OR OLD.value::numeric > NEW.value::numeric) THEN NEW.value := OLD.value; END IF; ${version}`;
}

/**
 * The apply trigger of `table`. A remote change conflicts when the local row is not the version the
 * change was made on (its prev_stamp/prev_origin): both regions changed the key concurrently.
 */
export function applyTriggerSql(
  strategy: ConflictStrategy,
  merge: MergeFunction,
  table: "registers" | "counters",
): string[] {
  const fn = `fd_apply_${table}`;
  return [
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql
    SET search_path = public, pg_catalog AS $fn$
DECLARE
  newer boolean := (NEW.stamp, NEW.origin) > (OLD.stamp, OLD.origin);
  conflict boolean := (OLD.stamp, OLD.origin) IS DISTINCT FROM (NEW.prev_stamp, NEW.prev_origin);
  kept text;
  skip boolean := false;
BEGIN
  ${resolution(strategy, merge, table)}
  IF conflict THEN
    INSERT INTO fd_conflicts (tbl, jurisdiction, key, component, local_stamp, local_origin,
                              remote_stamp, remote_origin, kept)
    VALUES (TG_TABLE_NAME, OLD.jurisdiction, OLD.key, coalesce(to_jsonb(OLD)->>'component', ''),
            OLD.stamp, OLD.origin, NEW.stamp, NEW.origin, kept);
  END IF;
  IF skip THEN RETURN NULL; END IF;
  RETURN NEW;
END $fn$`,
    `DROP TRIGGER IF EXISTS ${fn} ON ${table}`,
    `CREATE TRIGGER ${fn} BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    `ALTER TABLE ${table} ENABLE REPLICA TRIGGER ${fn}`,
  ];
}

export interface KeyedRow {
  jurisdiction: string;
  key: string;
  home: string;
}

/** The bounded key space: k0..k(n-1), or per home region with data residency ("eu-1/k3"). */
export function keySpace(
  keys: number,
  regions: ReadonlyArray<{ name: string; jurisdiction: string }>,
  residency: boolean,
): KeyedRow[] {
  const rows: KeyedRow[] = [];
  if (!residency) {
    for (let i = 0; i < keys; i++) rows.push({ jurisdiction: "", key: `k${i}`, home: "" });
    return rows;
  }
  for (const r of regions)
    for (let i = 0; i < keys; i++)
      rows.push({ jurisdiction: r.jurisdiction, key: `${r.name}/k${i}`, home: r.name });
  return rows;
}

/**
 * Every row exists before the workload, identical everywhere, so concurrent writes are UPDATEs that
 * the trigger resolves, never INSERTs that would collide on the key and stop the subscription.
 */
export function seedSql(rows: readonly KeyedRow[], components: readonly string[]): string[] {
  if (rows.length === 0) return [];
  const registers = rows.map((r) => `(${literal(r.jurisdiction)}, ${literal(r.key)}, ${literal(r.home)})`);
  const counters = rows.flatMap((r) =>
    components.map(
      (c) => `(${literal(r.jurisdiction)}, ${literal(r.key)}, ${literal(c)}, ${literal(r.home)})`,
    ),
  );
  return [
    `INSERT INTO registers (jurisdiction, key, home) VALUES ${registers.join(", ")} ON CONFLICT DO NOTHING`,
    `INSERT INTO counters (jurisdiction, key, component, home) VALUES ${counters.join(", ")} ON CONFLICT DO NOTHING`,
  ];
}

export const publicationName = (jurisdiction: string): string => `fd_pub_${ident(jurisdiction) || "all"}`;
export const subscriptionName = (publisher: string): string => `fd_from_${ident(publisher)}`;

/** The publication of one jurisdiction's rows (all rows, and the unique-insert table, without residency). */
export function publicationSql(jurisdiction: string, residency: boolean): string {
  const name = publicationName(jurisdiction);
  if (!residency) return `CREATE PUBLICATION ${name} FOR TABLE registers, counters, writes`;
  const where = `WHERE (jurisdiction = ${literal(jurisdiction)})`;
  return `CREATE PUBLICATION ${name} FOR TABLE registers ${where}, counters ${where}`;
}

export function subscriptionSql(
  subscriber: string,
  publisher: string,
  jurisdiction: string,
  conninfo: string,
): string {
  return (
    `CREATE SUBSCRIPTION ${subscriptionName(publisher)} CONNECTION ${literal(conninfo)} ` +
    `PUBLICATION ${publicationName(jurisdiction)} ` +
    // origin = none: only changes made on the publisher itself, so nothing loops back; no initial
    // copy (every node was seeded identically); the slot is named after both ends.
    `WITH (origin = none, copy_data = false, slot_name = ${literal(`fd_${ident(subscriber)}_from_${ident(publisher)}`)})`
  );
}
