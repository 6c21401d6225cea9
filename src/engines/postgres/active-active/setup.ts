// Sets up and reads an active-active PostgreSQL topology (the SQL itself: sql.ts). Each node is a
// primary of its own; subscriptions reach their publishers through the drill's replication proxies,
// so partitions and latency faults act on replication as they do on streaming.
import type { ActiveActiveEngine, ActiveActiveSpec, DatabaseNode, KeyedState } from "../../types.ts";
import { conninfo } from "../config.ts";
import type { PostgresSqlNode } from "../operations.ts";
import { applyTriggerSql, keySpace, publicationSql, seedSql, subscriptionSql, TABLES_SQL } from "./sql.ts";

type AsSql = (node: DatabaseNode) => PostgresSqlNode;

export function postgresActiveActive(sql: AsSql): ActiveActiveEngine {
  return {
    async setUp(nodes, spec) {
      const byName = (name: string): PostgresSqlNode => {
        const node = nodes.get(name);
        if (node === undefined) throw new Error(`active-active: no node for region ${name}`);
        return sql(node);
      };
      // Everything local first on every node, so no subscription applies into a missing table.
      await Promise.all(
        spec.regions.map(({ name, jurisdiction }) => prepareNode(byName(name), jurisdiction, spec)),
      );
      for (const { name: subscriber, jurisdiction } of spec.regions) {
        const node = byName(subscriber);
        for (const { name: publisher } of spec.regions) {
          if (publisher === subscriber) continue;
          const peer = spec.peer(subscriber, publisher);
          const info = conninfo({
            host: peer.host,
            port: peer.port,
            user: "postgres",
            dbname: "postgres",
            application_name: `${subscriber}-from-${publisher}`,
            connect_timeout: 5,
          });
          await node.query(subscriptionSql(subscriber, publisher, jurisdiction, info), [], {
            timeoutMs: 30_000,
          });
        }
      }
    },

    async subscriptionsStreaming(node, timeoutMs = 2000) {
      const rows = await sql(node).query<{ subname: string }>(
        `SELECT subname FROM pg_stat_subscription
          WHERE relid IS NULL AND pid IS NOT NULL AND received_lsn IS NOT NULL`,
        [],
        { timeoutMs },
      );
      const names = new Set(rows.map((r) => r.subname));
      const subs = await sql(node).query<{ subname: string; publisher: string }>(
        `SELECT subname, split_part(subconninfo, 'application_name=', 2) AS publisher FROM pg_subscription`,
        [],
        { timeoutMs },
      );
      return subs.filter((s) => names.has(s.subname)).map((s) => publisherOf(s.subname, s.publisher));
    },

    readKeyed: (node, jurisdiction, timeoutMs = 10_000) => readKeyed(sql(node), jurisdiction, timeoutMs),
  };
}

async function prepareNode(
  node: PostgresSqlNode,
  jurisdiction: string,
  spec: ActiveActiveSpec,
): Promise<void> {
  const statements = [
    ...TABLES_SQL,
    ...applyTriggerSql(spec.conflicts, spec.merge, "registers"),
    ...applyTriggerSql(spec.conflicts, spec.merge, "counters"),
  ];
  // A node holds only its own jurisdiction's records (all of them without residency).
  const rows = keySpace(spec.keys, spec.regions, spec.residency).filter(
    (r) => !spec.residency || r.jurisdiction === jurisdiction,
  );
  // crdt: a PN-counter has one component per region that may write the key.
  const components =
    spec.conflicts === "crdt"
      ? spec.regions.filter((r) => !spec.residency || r.jurisdiction === jurisdiction).map((r) => r.name)
      : [""];
  statements.push(...seedSql(rows, components));
  statements.push(publicationSql(jurisdiction, spec.residency));
  for (const statement of statements) await node.query(statement, [], { timeoutMs: 30_000 });
}

/** The publisher's region from the subscription's application_name ("<subscriber>-from-<publisher>"). */
function publisherOf(subname: string, applicationName: string): string {
  const from = /-from-([^\s']+)/.exec(applicationName)?.[1];
  return from ?? subname.replace(/^fd_from_/, "");
}

async function readKeyed(
  node: PostgresSqlNode,
  jurisdiction: string,
  timeoutMs: number,
): Promise<KeyedState> {
  const q = <T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> =>
    node.query<T>(text, params, { timeoutMs });
  const registers = await q<{ key: string; value: string; tags: string[] }>(
    "SELECT key, value, tags FROM registers ORDER BY key",
  );
  const counters = await q<{ key: string; total: string }>(
    "SELECT key, sum(p - n)::text AS total FROM counters GROUP BY key ORDER BY key",
  );
  const [outside] = await q<{ n: string }>(
    `SELECT ((SELECT count(*) FROM registers WHERE jurisdiction <> $1) +
             (SELECT count(*) FROM counters WHERE jurisdiction <> $1))::text AS n`,
    [jurisdiction],
  );
  const resolved = await q<{ kept: string; n: string }>(
    "SELECT kept, count(*)::text AS n FROM fd_conflicts GROUP BY kept",
  );
  const audit = await q<{ op: string; outcome: string; n: string }>(
    "SELECT op, outcome, count(*)::text AS n FROM audit GROUP BY op, outcome",
  );
  const subs = await q<Record<string, unknown>>(
    `SELECT s.subname, split_part(s.subconninfo, 'application_name=', 2) AS app,
            (SELECT count(*) FROM pg_stat_subscription w WHERE w.subid = s.oid AND w.relid IS NULL
               AND w.pid IS NOT NULL AND w.received_lsn IS NOT NULL) > 0 AS streaming,
            to_jsonb(st) AS stats
       FROM pg_subscription s LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.oid`,
  );
  return {
    registers: Object.fromEntries(
      registers.map((r) => [r.key, r.tags.length > 0 ? [...r.tags].sort().join(",") : r.value]),
    ),
    counters: Object.fromEntries(counters.map((r) => [r.key, Number(r.total)])),
    outOfJurisdiction: Number(outside?.n ?? 0),
    resolved: Object.fromEntries(resolved.map((r) => [r.kept, Number(r.n)])),
    audit: Object.fromEntries(audit.map((r) => [`${r.op} ${r.outcome}`, Number(r.n)])),
    subscriptions: subs.map((s) => {
      const stats = (s["stats"] ?? {}) as Record<string, unknown>;
      // PostgreSQL 18 counts conflicts by kind (confl_*); 16 and 17 only count errors.
      const conflicts = Object.fromEntries(
        Object.entries(stats)
          .filter(([k]) => k.startsWith("confl_"))
          .map(([k, v]) => [k.slice("confl_".length), Number(v)]),
      );
      return {
        publisher: publisherOf(String(s["subname"]), String(s["app"])),
        streaming: s["streaming"] === true,
        applyErrors: Number(stats["apply_error_count"] ?? 0),
        conflicts,
      };
    }),
  };
}
