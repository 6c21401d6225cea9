// The field names the loader accepts at each level of a drill file. The loader reports anything else
// as unknown; the schema test walks schema/drill.schema.json and checks it names exactly these.
// Keys are level labels: "" is the top level, `regions[]` a list item, `faults[latency]` a fault by type.
// `database.settings` (free-form postgresql.conf), `app.env` (free-form environment) and `objectives`
// (metric names) are not listed here.

const FAULT_COMMON = ["at", "type", "duration"] as const;
/** Faults that put a Toxiproxy toxic on the selected links. */
const LINK_FAULT_COMMON = [...FAULT_COMMON, "region", "links", "direction", "toxicity"] as const;

export const DRILL_FIELDS = {
  "": [
    "name",
    "description",
    "platform",
    "docker",
    "app",
    "regions",
    "database",
    "network",
    "controller",
    "dns",
    "workload",
    "faults",
    "recovery",
    "objectives",
  ],
  docker: ["images"],
  "docker.images": ["postgres", "toxiproxy"],
  app: ["image", "command", "port", "healthPath", "writePath", "env"],
  "regions[]": ["name", "role"],
  database: ["engine", "replication", "synchronousCommit", "syncStandbys", "binDir", "settings"],
  network: ["interRegionLatency", "pairs"],
  "network.pairs[]": ["between", "latency"],
  controller: ["mode", "healthCheck", "onCallDelay"],
  "controller.healthCheck": ["interval", "timeout", "failureThreshold"],
  dns: ["name", "ttl"],
  workload: ["clients", "rate", "duration", "requestTimeout", "retry"],
  "workload.retry": ["attempts", "backoff"],
  "faults[region-outage]": [...FAULT_COMMON, "region", "mode"],
  "faults[partition]": [...FAULT_COMMON, "between"],
  "faults[latency]": [...LINK_FAULT_COMMON, "latency", "jitter"],
  "faults[bandwidth]": [...LINK_FAULT_COMMON, "rate"],
  "faults[blackhole]": [...LINK_FAULT_COMMON, "after"],
  "faults[reset-peer]": [...LINK_FAULT_COMMON, "after"],
  "faults[slow-close]": [...LINK_FAULT_COMMON, "delay"],
  "faults[limit-data]": [...LINK_FAULT_COMMON, "bytes"],
  "faults[slicer]": [...LINK_FAULT_COMMON, "averageSize", "sizeVariation", "delay"],
  recovery: ["wait"],
} as const satisfies Record<string, readonly string[]>;

/** Names people reach for that are deliberately not drill fields, by level and name: what holds instead. */
export const NOT_DRILL_FIELDS: Record<string, string> = {
  "app.workingDir": "the app's command runs from the drill file's directory (give paths relative to it)",
};

/** Every field any fault type accepts, for checking a fault whose type is missing or unknown. */
export const ANY_FAULT_FIELDS: readonly string[] = [
  ...new Set(
    Object.entries(DRILL_FIELDS)
      .filter(([level]) => level.startsWith("faults["))
      .flatMap(([, fields]) => fields),
  ),
];

/** The levels (other than `level`) where `field` is a known name, to say where a misplaced field belongs. */
export function levelsHaving(field: string, except: string): string[] {
  return Object.entries(DRILL_FIELDS)
    .filter(([level, fields]) => level !== except && (fields as readonly string[]).includes(field))
    .map(([level]) => level);
}
