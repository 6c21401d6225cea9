// The manager of an active-active topology: every region takes writes, so there is nothing to promote.
// It watches each region's app, and for every jurisdiction routes that jurisdiction's records to its
// first healthy region (a DNS record <jurisdiction>.<name>, the drill's name without residency). With
// data residency it never routes a record abroad: when no region of a jurisdiction is up, it records
// the refusal with its reason and leaves those records unavailable.
import type { ManagerKind } from "../types.ts";
import { RegionalRouter } from "./router.ts";

export const regionalManager: ManagerKind = {
  name: "regional",
  description:
    "active-active: health checks on every region, each jurisdiction routed to its first healthy region, " +
    "never abroad (refusals recorded)",
  reportsSteps: true,
  // Clients write to their own region and move to the next one on an error; the app refuses records of
  // another jurisdiction, so a client's failover never moves data abroad either.
  routing: () => "client",
  create: (context) => new RegionalRouter(context),
};
