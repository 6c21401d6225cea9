// The database engine on every region's db node, its replication mode and settings.
import { optional, withDefault } from "../schema/fields.ts";
import { mapping, record } from "../schema/mapping.ts";
import { integer, oneOf, scalarText, text } from "../schema/scalars.ts";
import { drillContext } from "./context.ts";
import { ENGINE_NAMES } from "../../engines/names.ts";

export const REPLICATION_MODES = ["async", "sync", "semi-sync"] as const;
const SYNCHRONOUS_COMMIT = ["remote_write", "on", "remote_apply"] as const;
export const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export const DATABASE = mapping(
  {
    engine: withDefault(oneOf(ENGINE_NAMES), "postgres"),
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
