// The external manager: something outside the drill (a real HA manager, a person) promotes; the drill
// only injects faults and observes. It records nothing itself: the database monitor's role changes
// give the promotion, and clients hold every regional endpoint since nobody re-points DNS for them.
import type { FailoverManager, ManagerKind } from "./types.ts";

const observeOnly: FailoverManager = {
  start: () => {},
  stop: async () => {},
};

export const externalManager: ManagerKind = {
  name: "external",
  description: "inject and observe only: something outside the drill promotes",
  reportsSteps: false,
  routing: () => "client",
  create: () => observeOnly,
};
