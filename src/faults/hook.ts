// hook: a fault of the team's own making, run through their commands: `inject` at the fault's start
// (kill a process on a host, stop a VM, drain a node) and `heal` at its end, both timed and recorded
// like the manager's hooks (docs/hooks.md). On platform external this is how processes die: the drill
// itself only cuts the user's proxies.
import { optional, required, withDefault } from "../drill/schema/fields.ts";
import { regionRef } from "../drill/format/common.ts";
import { hookCommand } from "../drill/format/hook-command.ts";
import { duration } from "../drill/format/units.ts";
import type { HookCall, HookTopology } from "../hooks/environment.ts";
import { hookEnvironment } from "../hooks/environment.ts";
import { hookFailure, runRecordedHook, type RecordedHookCall } from "../hooks/recorded.ts";
import { hookRequirement } from "../hooks/requirements.ts";
import { runHook, type HookResult } from "../hooks/run.ts";
import { Processes } from "../history/types.ts";
import { defineFaultKind, type ApplyContext, type FaultBase } from "./kind.ts";

export type HookFault = FaultBase<"hook"> & {
  inject: string;
  heal?: string;
  timeoutMs: number;
  region?: string;
};

export class HookFaultError extends Error {
  override name = "HookFaultError";
}

/** Runs one of the fault's commands, recorded under the nemesis when the context has a history. */
function run(call: RecordedHookCall, setting: HookTopology, context: ApplyContext): Promise<HookResult> {
  if (context.history === undefined) {
    return runHook({ ...call, env: hookEnvironment(setting, call), cwd: setting.cwd });
  }
  return runRecordedHook({ history: context.history, process: Processes.nemesis, topology: setting, call });
}

export const hookFault = defineFaultKind({
  type: "hook",
  description: "Your own fault: a command runs at the start (inject) and another at the heal.",
  fields: {
    inject: required(hookCommand, "a shell command that injects the fault", {
      description: "Shell command run when the fault starts; exit 0 means injected.",
    }),
    heal: optional(hookCommand, {
      description:
        "Shell command run when the fault is healed (also after a failed inject); exit 0 means healed.",
    }),
    timeout: withDefault(duration({ positive: true }), 30_000, {
      as: "timeoutMs",
      description: "How long inject and heal may each run before they are killed and count as failed.",
    }),
    region: optional(regionRef, {
      description: "The region the fault acts on, given to the commands as FAILOVER_DRILL_FAULT_REGION.",
    }),
  },
  build: ({ inject, heal, timeoutMs, region }, timing): HookFault => ({
    type: "hook",
    ...timing,
    inject,
    ...(heal === undefined ? {} : { heal }),
    timeoutMs,
    ...(region === undefined ? {} : { region }),
  }),
  describe: (f, wording) =>
    `${wording.name(f.type)} ${JSON.stringify(f.inject)}${f.region === undefined ? "" : ` on ${f.region}`}`,
  historyValue: (f) => ({ inject: f.inject, ...(f.region === undefined ? {} : { faultRegion: f.region }) }),
  requirements: (f) => [
    ...hookRequirement(f.inject, "a hook fault's inject"),
    ...(f.heal === undefined ? [] : hookRequirement(f.heal, "a hook fault's heal")),
  ],
  async apply(fault, context) {
    const setting = context.topology.hookTopology?.();
    if (setting === undefined) throw new HookFaultError("this topology cannot run hook commands");
    const call = (hook: "inject" | "heal", command: string): RecordedHookCall & HookCall => ({
      hook,
      command,
      timeoutMs: fault.timeoutMs,
      fault: context.index,
      ...(fault.region === undefined ? {} : { faultRegion: fault.region }),
    });
    const heal = async (): Promise<void> => {
      if (fault.heal === undefined) return;
      const healed = await run(call("heal", fault.heal), setting, context);
      if (!healed.ok) throw new HookFaultError(hookFailure({ hook: "heal" }, healed));
    };
    const injected = await run(call("inject", fault.inject), setting, context);
    if (!injected.ok) {
      // Whatever half of it happened is undone, as a fault that fails to start must leave nothing.
      await heal().catch(() => undefined);
      throw new HookFaultError(hookFailure({ hook: "inject" }, injected));
    }
    return heal;
  },
});
