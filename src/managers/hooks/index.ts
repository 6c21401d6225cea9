// The hooks manager as the registry lists it: a team's own stack through its commands (docs/hooks.md).
import type { Drill } from "../../drill/types.ts";
import { hookRequirement } from "../../hooks/requirements.ts";
import type { Requirement } from "../../platform/requirements.ts";
import type { ManagerKind } from "../types.ts";
import { HooksManager } from "./manager.ts";

/** The programs controller.hooks names first (psql, patronictl, ...), where they are bare names. */
function requirements(drill?: Drill): Requirement[] {
  const hooks = drill?.controller.hooks;
  if (hooks === undefined) return [];
  return (["status", "fence", "promote"] as const).flatMap((hook) => {
    const command = hooks[hook];
    return command === undefined ? [] : hookRequirement(command, `controller.hooks.${hook}`);
  });
}

export const hooksManager: ManagerKind = {
  name: "hooks",
  description: "your own stack through commands: status polled; fence and promote run when given",
  reportsSteps: true,
  // Nothing re-points the drill's DNS name: clients hold every regional endpoint.
  routing: () => "client",
  requirements,
  create: (context) => new HooksManager(context),
};
