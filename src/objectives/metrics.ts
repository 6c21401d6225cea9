// The metrics an objective can bound. Drill files name them; the validator checks names and units;
// the evaluator reads the measured value from the summary's `measurements` at `path`.

export type MetricUnit = "ms" | "count" | "per-second" | "boolean";

export interface MetricDefinition {
  name: string;
  unit: MetricUnit;
  /** Dotted path into the report's `measurements` object. */
  path: string;
  description: string;
}

const m = (name: string, unit: MetricUnit, path: string, description: string): MetricDefinition => ({
  name,
  unit,
  path,
  description,
});

export const METRICS: readonly MetricDefinition[] = [
  m("detection", "ms", "detection.ms", "fault injected -> controller declares the primary down"),
  m("promotion", "ms", "promotion.ms", "primary declared down -> candidate writable (canary committed)"),
  m(
    "dnsSwitch.authoritative",
    "ms",
    "dnsSwitch.authoritativeMs",
    "writable -> DNS server answers the new address",
  ),
  m(
    "dnsSwitch.clientFirst",
    "ms",
    "dnsSwitch.clientFirstMs",
    "writable -> first client resolves the new address",
  ),
  m(
    "dnsSwitch.clientLast",
    "ms",
    "dnsSwitch.clientLastMs",
    "writable -> last client resolves the new address",
  ),
  m("rto.p50", "ms", "rto.p50Ms", "client-observed RTO, median over clients"),
  m("rto.p99", "ms", "rto.p99Ms", "client-observed RTO, 99th percentile over clients"),
  m("rto.max", "ms", "rto.maxMs", "client-observed RTO, worst client"),
  m(
    "rto.gapMax",
    "ms",
    "rto.gapMaxMs",
    "longest gap between a client's last ok before and first ok after the fault",
  ),
  m("rpo.lostWrites", "count", "rpo.lostWrites", "acknowledged writes missing from the surviving primary"),
  m("rpo.lostWindow", "ms", "rpo.lostWindowMs", "time span of the acknowledged writes that were lost"),
  m("rpo.unexpectedWrites", "count", "rpo.unexpectedWrites", "ids present that no client ever attempted"),
  m("rpo.ackedWrites", "count", "rpo.ackedWrites", "writes acknowledged to clients"),
  m("splitBrain", "boolean", "splitBrain.detected", "two nodes acknowledged writes at the same time"),
  m("throughput.ackedPerSecond", "per-second", "throughput.ackedPerSecond", "acknowledged writes per second"),
  m(
    "writeLatency.p50",
    "ms",
    "writeLatency.overall.p50Ms",
    "acknowledged write latency, median over the run",
  ),
  m("writeLatency.p99", "ms", "writeLatency.overall.p99Ms", "acknowledged write latency, 99th percentile"),
  m(
    "writeLatency.beforeP50",
    "ms",
    "writeLatency.beforeP50Ms",
    "median write latency before the fault: the steady-state cost of the replication mode",
  ),
  m(
    "conflicts.lostUpdates",
    "count",
    "conflicts.lostUpdates",
    "active-active: acknowledged updates lost (not legitimately overwritten)",
  ),
  m(
    "conflicts.lostIncrements",
    "count",
    "conflicts.lostIncrements",
    "active-active: counter increments missing in the worst region",
  ),
  m(
    "conflicts.divergentKeys",
    "count",
    "conflicts.divergentKeys",
    "active-active: keys regions still disagree on at the end",
  ),
  m(
    "conflicts.timeToConverge",
    "ms",
    "conflicts.timeToConvergeMs",
    "active-active: last heal -> regions agree again",
  ),
  m(
    "conflicts.discardedDespiteRealTime",
    "count",
    "conflicts.discardedDespiteRealTime",
    "last-writer-wins: acknowledged writes discarded although later in real time",
  ),
  m(
    "residency.outOfJurisdictionRows",
    "count",
    "residency.outOfJurisdictionRows",
    "rows found outside their jurisdiction",
  ),
  m(
    "residency.refusedWrites",
    "count",
    "residency.refusedWrites",
    "writes refused because no region of their jurisdiction was up",
  ),
];

export const METRIC_NAMES: readonly string[] = METRICS.map((d) => d.name);

export function findMetric(name: string): MetricDefinition | undefined {
  return METRICS.find((d) => d.name === name);
}
