// controller.hooks: the commands the `hooks` manager runs at defined points of a failover, so a drill
// can exercise a team's own stack (docs/hooks.md). Each is shell text run from the drill file's
// directory; the status command is polled on the health check's schedule.
import { optional, required, withDefault } from "../schema/fields.ts";
import { mapping } from "../schema/mapping.ts";
import { hookCommand } from "./hook-command.ts";
import { duration } from "./units.ts";

export const HOOKS = mapping(
  {
    status: required(hookCommand, "a shell command that prints the current primary region", {
      description:
        "Prints the name of the region whose database is primary now (nothing, or none, when there is " +
        "none); polled every healthCheck.interval, each run limited to healthCheck.timeout.",
    }),
    fence: optional(hookCommand, {
      description:
        "Run once the primary is declared down, before promote: keep the old primary from taking writes.",
    }),
    promote: optional(hookCommand, {
      description:
        "Promotes FAILOVER_DRILL_CANDIDATE; without it the drill only observes (your own HA promotes).",
    }),
    timeout: withDefault(duration({ positive: true }), 30_000, {
      as: "timeoutMs",
      description: "How long fence and promote may each run before they are killed and count as failed.",
    }),
  },
  {
    description:
      "Commands the hooks manager runs: status (required), fence and promote (optional); see docs/hooks.md.",
  },
);
