// The database engine on every region's db node, its replication mode and settings.
import { optional, withDefault } from "../schema/fields.ts";
import { mapping, record } from "../schema/mapping.ts";
import { integer, oneOf, scalarText, text } from "../schema/scalars.ts";
import { drillContext } from "./context.ts";
import { ENGINE_NAMES } from "../../engines/names.ts";

export const REPLICATION_MODES = ["async", "sync", "semi-sync"] as const;
export const DATABASE_TOPOLOGIES = ["primary-standby", "active-active"] as const;
/** How an active-active topology resolves concurrent updates of one key (docs/active-active.md). */
export const CONFLICT_STRATEGIES = ["lww", "custom", "crdt", "none"] as const;
/** The named merge functions `conflicts: custom` runs on apply. */
export const MERGE_FUNCTIONS = ["union", "max"] as const;
const SYNCHRONOUS_COMMIT = ["remote_write", "on", "remote_apply"] as const;
export const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export const DATABASE = mapping(
  {
    engine: withDefault(oneOf(ENGINE_NAMES), "postgres"),
    topology: withDefault(oneOf(DATABASE_TOPOLOGIES), "primary-standby", {
      description:
        "primary-standby: one writable primary streaming to standbys. active-active: every region takes " +
        "writes and replicates them to the others by logical replication (PostgreSQL 16+, origin = none).",
      check(topology, { scope }) {
        drillContext(scope).topology = topology;
        return topology;
      },
    }),
    conflicts: optional(oneOf(CONFLICT_STRATEGIES), {
      description:
        "active-active only. lww: the newer (stamp, region) wins on apply; custom: the merge function runs " +
        "on apply; crdt: counters are per-region components (PN-counter), registers LWW; none: PostgreSQL's " +
        "own apply (the last applied change wins in each region). Default lww.",
    }),
    merge: optional(oneOf(MERGE_FUNCTIONS), {
      description:
        "conflicts custom only: union (a register is a set of tags; concurrent adds are united) or max " +
        "(the greater value wins). Default union.",
    }),
    replication: withDefault(oneOf(REPLICATION_MODES), "async", {
      description:
        "async: commit locally, stream to standbys. sync: every commit waits for the first syncStandbys " +
        "standbys (FIRST n). semi-sync: every commit waits for any syncStandbys standbys in other " +
        "regions (ANY k).",
      check(replication, { scope }) {
        // A failover manager read later may not support every mode (controller.manager says so).
        drillContext(scope).replication = replication;
        return replication;
      },
    }),
    synchronousCommit: withDefault(oneOf(SYNCHRONOUS_COMMIT), "on", {
      description:
        "How far a standby must have got before a commit returns (PostgreSQL synchronous_commit). " +
        "Only with sync or semi-sync replication.",
    }),
    syncStandbys: withDefault(integer(1), 1, {
      description:
        "n of FIRST n (sync) or k of ANY k (semi-sync); at most the number of standbys. Only with sync " +
        "or semi-sync replication.",
    }),
    binDir: optional(text(), {
      description: "Directory holding initdb/pg_ctl/postgres; omitted = the embedded npm package.",
    }),
    settings: withDefault(
      record({
        key: {
          pattern: SETTING_NAME,
          message: "expected a postgresql.conf setting name (letters, digits, _ and .)",
        },
        value: scalarText(),
        valueExpected: "a postgresql.conf value",
      }),
      {},
      { description: "Extra postgresql.conf settings applied to every node." },
    ),
  },
  {
    description: "The database engine on every region's db node.",
    check({ values, fields, scope }) {
      const r = scope.reader;
      if (values.topology !== "active-active") {
        for (const field of [fields.conflicts, fields.merge]) {
          if (field === undefined) continue;
          r.report(field, "only applies to topology: active-active; remove it or set topology");
          return false;
        }
      } else if (fields.merge !== undefined && values.conflicts !== "custom") {
        r.report(fields.merge, "only applies to conflicts: custom; remove it or set conflicts: custom");
        return false;
      }
      if (values.topology === "active-active" && values.replication !== "async" && fields.replication) {
        r.report(
          fields.replication,
          "active-active replicates asynchronously (logical replication); remove replication or set async",
        );
        return false;
      }
      if (values.replication === "async") {
        // Fields that would silently do nothing are refused, so nobody believes they tested sync.
        let ok = true;
        for (const field of [fields.synchronousCommit, fields.syncStandbys]) {
          if (field === undefined) continue;
          r.report(field, "only applies to sync or semi-sync replication; remove it or set replication");
          ok = false;
        }
        return ok;
      }
      const regions = drillContext(scope).regions;
      const syncStandbys = values.syncStandbys;
      if (fields.syncStandbys && syncStandbys !== undefined && regions !== undefined) {
        // Every standby is in a region of its own, so for semi-sync "in other regions" is every standby.
        const standbys = regions.filter((region) => region.role === "standby").length;
        if (syncStandbys > standbys) {
          const which = values.replication === "sync" ? "standbys" : "standbys in other regions";
          r.report(
            fields.syncStandbys,
            `must be at most the number of ${which} (${standbys}), got ${syncStandbys}`,
          );
          return false;
        }
      }
      return true;
    },
  },
);
