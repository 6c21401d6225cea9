// The environment every hook command gets (docs/hooks.md lists it), so a team's scripts can act on the
// drill's regions without repeating them: names and roles, where each region's database and client
// endpoint are, the proxy API, the run's workspace; plus, per call, what the call is about (the failed
// region, the candidate, the fault).

/** One region as hooks are told about it. */
export interface HookRegion {
  name: string;
  /** The role the region started the drill with. */
  role: "primary" | "standby";
  /** A connection string for the region's database, where the drill knows one. */
  databaseUrl?: string;
  /** host:port of the region's client endpoint. */
  endpoint?: string;
}

/** What a topology tells the hooks that act on it. */
export interface HookTopology {
  drill: string;
  /** Where hook commands run: the drill file's directory, so scripts are named relative to it. */
  cwd: string;
  /** The run's scratch directory (kept with --keep): hook logs and anything a script wants to leave. */
  workspace: string;
  toxiproxyUrl?: string;
  regions: HookRegion[];
  /** Literal secrets (app.env values, URL passwords) to redact from what hooks print before it is recorded. */
  secrets?: readonly string[];
}

/** What one call is about, beyond the topology. */
export interface HookCall {
  hook: string;
  /** fence, promote: the region declared down. */
  failedRegion?: string;
  /** promote: the region to promote. */
  candidate?: string;
  /** inject, heal: the fault's index in the drill and its region, if it names one. */
  fault?: number;
  faultRegion?: string;
}

export const ENV_PREFIX = "FAILOVER_DRILL_";

/** `FAILOVER_DRILL_REGION_US_EAST_DATABASE_URL` for ("us-east", "DATABASE_URL"). */
export function regionVariable(region: string, what: string): string {
  return `${ENV_PREFIX}REGION_${region.toUpperCase().replaceAll("-", "_")}_${what}`;
}

export function hookEnvironment(topology: HookTopology, call: HookCall): Record<string, string> {
  const env: Record<string, string> = {
    [`${ENV_PREFIX}NAME`]: topology.drill,
    [`${ENV_PREFIX}HOOK`]: call.hook,
    [`${ENV_PREFIX}WORKSPACE`]: topology.workspace,
    [`${ENV_PREFIX}REGIONS`]: topology.regions.map((r) => r.name).join(" "),
    [`${ENV_PREFIX}PRIMARY`]: topology.regions.find((r) => r.role === "primary")?.name ?? "",
    [`${ENV_PREFIX}STANDBYS`]: topology.regions
      .filter((r) => r.role === "standby")
      .map((r) => r.name)
      .join(" "),
  };
  if (topology.toxiproxyUrl !== undefined) env[`${ENV_PREFIX}TOXIPROXY_URL`] = topology.toxiproxyUrl;
  for (const r of topology.regions) {
    env[regionVariable(r.name, "ROLE")] = r.role;
    if (r.databaseUrl !== undefined) env[regionVariable(r.name, "DATABASE_URL")] = r.databaseUrl;
    if (r.endpoint !== undefined) env[regionVariable(r.name, "ENDPOINT")] = r.endpoint;
  }
  if (call.failedRegion !== undefined) env[`${ENV_PREFIX}FAILED_REGION`] = call.failedRegion;
  if (call.candidate !== undefined) env[`${ENV_PREFIX}CANDIDATE`] = call.candidate;
  if (call.fault !== undefined) env[`${ENV_PREFIX}FAULT`] = String(call.fault);
  if (call.faultRegion !== undefined) env[`${ENV_PREFIX}FAULT_REGION`] = call.faultRegion;
  return env;
}
