// The failover controller: its mode and the health check that decides the primary is down.
import { formatDuration } from "../duration.ts";
import { optional, section, withDefault, type FieldAt } from "../schema/fields.ts";
import { mapping } from "../schema/mapping.ts";
import { integer, oneOf } from "../schema/scalars.ts";
import { refine } from "../schema/spec.ts";
import { MANAGER_NAMES } from "../../managers/names.ts";
import { drillContext } from "./context.ts";
import { PG_AUTO_FAILOVER, pgAutoFailoverOnly } from "./pg-auto-failover.ts";
import { HOOKS } from "./hooks.ts";
import { HAPROXY, PATRONI, ROUTINGS, type Routing } from "./patroni.ts";
import { DEFAULT_HAPROXY, DEFAULT_PATRONI } from "./patroni-defaults.ts";
import { duration } from "./units.ts";

/** Managers that route clients themselves (controller.routing), with their default routing. */
const ROUTING_DEFAULTS: Partial<Record<string, Routing>> = { patroni: "haproxy" };

/** A manager's own section: its defaults under that manager, refused under any other. */
function managerOnly<T>(manager: string, defaults: T, when?: (at: FieldAt) => boolean) {
  return (value: T | undefined, at: FieldAt): T | undefined => {
    const active = at.values["manager"] === manager && (when?.(at) ?? true);
    if (at.field !== undefined && !active && at.values["manager"] !== undefined) {
      at.scope.reader.report(
        at.field,
        at.values["manager"] === manager
          ? "only applies to routing haproxy; remove it or set routing: haproxy"
          : `only applies to controller.manager ${manager} (manager is ${String(at.values["manager"])}); remove it`,
      );
      return undefined;
    }
    return active ? (value ?? defaults) : value;
  };
}

/** "automatic" is the round-1 name of "dns", still accepted. */
const CONTROLLER_MODE_NAMES = ["dns", "client", "manual", "external", "automatic"] as const;

const HEALTH_CHECK = mapping(
  {
    interval: withDefault(duration({ positive: true }), 1_000, {
      as: "intervalMs",
      description: "Time between probes of the primary; greater than timeout.",
    }),
    timeout: withDefault(duration({ positive: true }), 500, {
      as: "timeoutMs",
      description: "A probe that takes longer fails; less than interval.",
    }),
    failureThreshold: withDefault(integer(1), 3, {
      description: "Consecutive failed probes before the primary is declared down.",
    }),
  },
  {
    check({ values: { interval, timeout, failureThreshold }, fields, scope }) {
      if (interval === undefined || timeout === undefined || failureThreshold === undefined) return true;
      if (timeout < interval) return true;
      // The controller probes once per interval; a probe that may outlive it would overlap the next.
      if (fields.timeout) {
        scope.reader.report(
          fields.timeout,
          `must be less than the interval (${formatDuration(interval)}) so each probe ends before the next, ` +
            `got ${formatDuration(timeout)}`,
        );
      } else if (fields.interval) {
        scope.reader.report(
          fields.interval,
          `must be greater than the timeout (${formatDuration(timeout)}, the default) so each probe ends ` +
            `before the next, got ${formatDuration(interval)}`,
        );
      }
      return false;
    },
  },
);

export const CONTROLLER = mapping(
  {
    /**
     * dns: detect, fence, promote, switch DNS. client: detect, fence, promote; no DNS switch: clients
     * hold every regional endpoint and move on errors. manual: like dns, but promotion waits
     * `onCallDelay` after detection (paging a human). external: inject and observe only.
     */
    mode: withDefault(
      refine(oneOf(CONTROLLER_MODE_NAMES), (mode) => (mode === "automatic" ? "dns" : mode)),
      "dns",
      {
        description:
          "dns: detect, fence, promote, switch DNS (automatic is an alias). client: no DNS switch; clients " +
          "move between regional endpoints. manual: like dns, promotion waits onCallDelay after detection. " +
          "external: inject and observe only.",
      },
    ),
    manager: withDefault(oneOf(MANAGER_NAMES), "builtin", {
      description:
        "Who fails over: builtin = the drill's own controller (mode says how); external = something " +
        "outside the drill promotes, the drill injects and observes (mode: external is the same); " +
        "hooks = your own stack through the commands in controller.hooks; pg_auto_failover = a monitor " +
        "and a keeper per region run PostgreSQL and fail over; patroni = Patroni runs PostgreSQL per region " +
        "and fails over through etcd or its Raft; regional = active-active: every region writes, the manager " +
        "watches regions and routes each jurisdiction's records within it (the default there).",
      check(manager, { field, values, fields, scope }) {
        const mode = values["mode"];
        // Every region takes writes: nothing to promote, only regions to route around.
        if (drillContext(scope).topology === "active-active") {
          if (field === undefined) return "regional";
          if (manager !== "regional") {
            scope.reader.report(
              field,
              "database.topology active-active needs manager: regional (or no manager)",
            );
            return undefined;
          }
          return manager;
        }
        if (manager === "regional" && field !== undefined) {
          scope.reader.report(field, "manager regional needs database.topology: active-active");
          return undefined;
        }
        // `mode: external` predates the manager field and still means the external manager.
        if (field === undefined) return mode === "external" ? "external" : manager;
        if (manager === "builtin" && mode === "external") {
          scope.reader.report(
            field,
            "mode external means the external manager; set manager: external or remove it",
          );
          return undefined;
        }
        if (manager !== "builtin" && fields["mode"] !== undefined && mode !== "external") {
          scope.reader.report(
            fields["mode"],
            `only applies to the builtin manager (manager is ${manager}); remove it`,
          );
          return undefined;
        }
        const platform = drillContext(scope).platform;
        if (manager === "pg_auto_failover" && platform !== undefined && platform !== "local") {
          scope.reader.report(
            field,
            "pg_auto_failover runs on platform local only (for now); set platform: local",
          );
          return undefined;
        }
        if (manager === "patroni") {
          if (platform === "external") {
            scope.reader.report(field, "patroni runs on platform local or docker; set one of them");
            return undefined;
          }
          if (drillContext(scope).replication === "semi-sync") {
            scope.reader.report(
              field,
              "patroni does not support database.replication semi-sync (Patroni 3.0.2's synchronous_mode " +
                "waits for the first syncStandbys standbys; quorum commit needs Patroni 4): use sync or async",
            );
            return undefined;
          }
        }
        if (manager === "hooks" && fields["mode"] !== undefined) {
          scope.reader.report(
            fields["mode"],
            "only applies to the builtin manager (manager is hooks); remove it",
          );
          return undefined;
        }
        return manager;
      },
    }),
    pgAutoFailover: optional(PG_AUTO_FAILOVER, {
      description:
        "manager pg_auto_failover only: its monitor's placement and timing (pg_auto_failover's defaults).",
      check: pgAutoFailoverOnly,
    }),
    routing: optional(oneOf(ROUTINGS), {
      description:
        "Managers that route clients themselves (patroni; default haproxy): haproxy = an HAProxy per region " +
        "checks every member's REST API (GET /primary) and the region's app uses it; dns = Patroni's " +
        "on_role_change callback runs nsupdate to point dns.name at the new primary's region (clients " +
        "follow DNS, each app writes to its own member); client = each app gets a libpq multi-host URL " +
        "with target_session_attrs=read-write.",
      check(routing, { field, values, scope }) {
        const manager = values["manager"];
        if (typeof manager !== "string") return routing;
        if (routing === "dns" && field !== undefined && drillContext(scope).platform === "docker") {
          // The callback runs in the member's container; the drill's DNS server is on the host.
          scope.reader.report(
            field,
            "routing dns runs on platform local only; use haproxy or client on docker",
          );
          return undefined;
        }
        const fallback = ROUTING_DEFAULTS[manager];
        if (fallback === undefined && field !== undefined) {
          scope.reader.report(field, `does not apply to controller.manager ${manager}; remove it`);
          return undefined;
        }
        return routing ?? fallback;
      },
    }),
    patroni: optional(PATRONI, {
      description: "manager patroni only: its ttl, loopWait, retryTimeout and DCS (Patroni's defaults).",
      check: managerOnly("patroni", DEFAULT_PATRONI),
    }),
    haproxy: optional(HAPROXY, {
      description: "manager patroni with routing haproxy only: HAProxy's health checks of each member.",
      check: managerOnly("patroni", DEFAULT_HAPROXY, (at) => at.values["routing"] === "haproxy"),
    }),
    healthCheck: section(HEALTH_CHECK),
    onCallDelay: withDefault(duration({ positive: false }), 0, {
      as: "onCallDelayMs",
      description: "manual mode only: time from detection to the on-call engineer starting the runbook.",
      check(delay, { field, values, scope }) {
        const mode = values["mode"];
        if (field === undefined || mode === undefined || mode === "manual") return delay;
        scope.reader.report(field, `only applies to controller.mode manual (mode is ${String(mode)})`);
        return undefined;
      },
    }),
    hooks: optional(HOOKS, {
      description:
        "manager hooks: the commands it runs (status, fence, promote); a drill or matrix that switches " +
        "managers may keep it.",
      check(hooks, { field, values, fields, scope }) {
        if (hooks !== undefined || field !== undefined || values["manager"] !== "hooks") return hooks;
        const at = fields["manager"];
        if (at !== undefined)
          scope.reader.report(at, "manager hooks needs controller.hooks with at least a status command");
        return undefined;
      },
    }),
  },
  {
    // Everything downstream that asks for the mode sees `external` under the external manager, `dns`
    // under a manager that re-points DNS itself (routing dns), and `client` under the hooks manager,
    // pg_auto_failover and a manager that routes clients otherwise (Patroni with haproxy or client
    // routing), whose clients hold every regional endpoint (nothing re-points DNS).
    build: (shape) =>
      shape.manager === "external"
        ? { ...shape, mode: "external" as const }
        : shape.routing === "dns"
          ? { ...shape, mode: "dns" as const }
          : shape.manager === "hooks" || shape.manager === "pg_auto_failover" || shape.routing !== undefined
            ? { ...shape, mode: "client" as const }
            : shape,
  },
);
