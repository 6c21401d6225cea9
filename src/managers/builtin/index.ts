// The built-in manager as the registry lists it: our own health checks, fence, promotion and DNS switch.
import type { ManagerKind } from "../types.ts";
import { FailoverController } from "./controller.ts";

export const builtinManager: ManagerKind = {
  name: "builtin",
  description:
    "health checks on the primary's endpoint, fence, promote the most advanced standby, switch DNS",
  reportsSteps: true,
  // client mode: clients hold every regional endpoint; DNS is never switched.
  routing: (drill) => (drill.controller.mode === "client" ? "client" : "dns"),
  create: ({ drill, topology, history }) => new FailoverController({ drill, topology, history }),
};
