// The plan for a terminal: the timeline first (what happens when), then where (topology, links), then
// what the report will compare against. `--json` prints the DrillPlan itself instead.
import { formatDuration } from "../drill/duration.ts";
import type { DrillPlan } from "./plan.ts";

const t = (ms: number): string => formatDuration(ms);
/** Timeline times in seconds throughout ("60s", "75s"), so they line up and compare at a glance. */
const at = (ms: number): string => (ms < 1000 ? formatDuration(ms) : `${Number((ms / 1000).toFixed(3))}s`);
/** "3m42s". */
const minutes = (ms: number): string =>
  ms < 60_000 ? at(ms) : `${Math.floor(ms / 60_000)}m${ms % 60_000 === 0 ? "" : at(ms % 60_000)}`;
const range = (r: readonly [number, number] | undefined): string =>
  r === undefined ? "" : `${t(Math.round(r[0]))} – ${t(Math.round(r[1]))}`;

export function renderPlan(plan: DrillPlan): string {
  const { timeline: tl, topology: topo, predicted: p } = plan;
  const lines: string[] = [
    `drill ${plan.drill} on ${plan.platform}${plan.description === undefined ? "" : `: ${plan.description}`}`,
    "",
    "timeline (from the workload's start)",
    `  before   ${tl.setup}`,
    `  0s       workload starts: ${tl.workload.clients} clients, ${tl.workload.ratePerSecond}/s`,
  ];
  const events: Array<[number, string]> = [];
  for (const f of tl.faults) {
    events.push([f.startMs, `fault ${f.index} starts: ${f.description}: ${f.effect}`]);
    if (f.endsBy === "duration") events.push([f.endMs, `fault ${f.index} healed (its duration)`]);
  }
  events.push([tl.workload.endMs, "workload ends; every fault still in effect is healed (heal-all)"]);
  events.push([tl.recovery.untilMs, "recovery wait over: final read of every node, then the reports"]);
  for (const [ms, what] of events.sort((a, b) => a[0] - b[0])) lines.push(`  ${at(ms).padEnd(8)} ${what}`);
  lines.push(
    `  timeout  ${minutes(plan.timeout.ms)} for the whole run by default (${plan.timeout.breakdown}); --timeout sets it`,
  );

  lines.push("", "topology");
  for (const r of topo.regions)
    lines.push(
      `  region ${r.name} (${r.role}${r.jurisdiction === undefined ? "" : `, jurisdiction ${r.jurisdiction}`})` +
        (r.address === null ? "" : ` at ${r.address}`),
    );
  lines.push(`  database ${topo.database.engine}, ${topo.database.replication} replication`);
  lines.push(`  app      ${topo.app}`);
  lines.push(
    `  DNS      ${topo.dns.name} (TTL ${t(topo.dns.ttlMs)}) on the ${topo.dns.server} server, ` +
      `resolver ${topo.dns.resolver}`,
  );
  const hc = topo.manager.healthCheck;
  lines.push(
    `  manager  ${topo.manager.name} (mode ${topo.manager.mode})` +
      (hc === undefined
        ? ""
        : `: health check every ${t(hc.intervalMs)}, timeout ${t(hc.timeoutMs)}, ${hc.failureThreshold} failures`),
  );
  if (topo.managerLinks !== undefined) lines.push(`  links    ${topo.managerLinks}`);

  lines.push("", "links (every one through a proxy)");
  for (const l of plan.links) {
    lines.push(`  ${l.proxy.padEnd(28)} ${l.kind.padEnd(11)} ${l.from} -> ${l.to}`);
    for (const x of l.toxics) lines.push(`      ${x.what}: ${x.when}`);
  }

  lines.push("", "predicted (what the report compares against)");
  lines.push(`  detection     ${t(Math.round(p.detectionMs))} (${range(p.detectionRangeMs)})`);
  if (p.writableRangeMs !== undefined)
    lines.push(`  writable      ${range(p.writableRangeMs)} after the fault`);
  if (p.routingRangeMs !== undefined)
    lines.push(`  routing       ${range(p.routingRangeMs)} after the fault`);
  lines.push(
    `  DNS failover  ${t(Math.round(p.dnsFailoverMs))} (detection + resolver hold; excl. promotion)`,
  );
  lines.push(`  RTO           ${plan.rtoPrediction}`);
  if (p.basis !== undefined) lines.push(`  basis         ${p.basis}`);

  lines.push("", "objectives");
  if (plan.objectives.length === 0) lines.push("  none (a pass would be vacuous)");
  for (const o of plan.objectives) lines.push(`  ${o.metric} ${o.limit}`);
  return lines.join("\n");
}
