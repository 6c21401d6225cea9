// Drill file -> validated, normalised Drill. Everything is checked before anything starts, and every
// problem is reported (file:line:column, field path, what was expected), not just the first.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { findMetric, METRIC_NAMES } from "../objectives/metrics.ts";
import {
  BANDWIDTH_EXAMPLE,
  formatDuration,
  MICROS_EXAMPLE,
  parseBandwidth,
  parseMicros,
  parseSize,
  SIZE_EXAMPLE,
} from "./duration.ts";
import { ANY_FAULT_FIELDS, DRILL_FIELDS } from "./fields.ts";
import { OBJECTIVE_EXAMPLES, ObjectiveError, parseObjective } from "./objective.ts";
import { DrillValidationError, syntaxProblem, type DrillProblem } from "./problems.ts";
import { DrillReader, Mapping, type Field } from "./reader.ts";
import { closest } from "./suggest.ts";
import {
  LINK_KINDS,
  OUTAGE_MODES,
  PLATFORMS,
  REFERENCE_APP_ENDPOINTS,
  type AppSpec,
  type ControllerMode,
  type Drill,
  type Fault,
  type FaultType,
  type LinkDirection,
  type LinkKind,
  type LinkSelector,
  type LinkToxicFault,
  type Objective,
  type Platform,
  type RegionRole,
  type RegionSpec,
  type ReplicationMode,
} from "./types.ts";

export { DrillValidationError, formatProblem, type DrillProblem } from "./problems.ts";
export { formatDuration, parseDuration } from "./duration.ts";

export const DRILL_NAME = /^[a-z0-9][a-z0-9-]*$/;
/** A DNS label: letters, digits and inner hyphens, at most 63 characters. */
export const REGION_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
export const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * A docker image reference: optional registry host[:port]/, lowercase path components, optional
 * :tag and @algorithm:digest (the grammar of distribution/reference, without its length limits).
 */
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
export const IMAGE_REF = new RegExp(
  `^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*` +
    "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,})?$",
);
const IMAGE_EXAMPLE =
  "an image reference like postgres:17 or ghcr.io/org/app:1.2 (lowercase name, optional :tag)";
/** What an app's command arguments and env values may contain as {{NAME}}, filled in per region. */
export const APP_TEMPLATE_VARIABLES = [
  "REGION",
  "HOST",
  "PORT",
  "DATABASE_URL",
  "DATABASE_HOST",
  "DATABASE_PORT",
] as const;
/** `{{NAME}}`, with the spaces inside the braces the platforms tolerate. */
const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;

const FAULT_TYPES: readonly FaultType[] = [
  "region-outage",
  "partition",
  "latency",
  "bandwidth",
  "blackhole",
  "reset-peer",
  "slow-close",
  "limit-data",
  "slicer",
];
const REGION_ROLES: readonly RegionRole[] = ["primary", "standby"];
const REPLICATION_MODES: readonly ReplicationMode[] = ["async", "sync", "semi-sync"];
const SYNCHRONOUS_COMMIT = ["remote_write", "on", "remote_apply"] as const;
/** "automatic" is the round-1 name of "dns", still accepted. */
const CONTROLLER_MODES: readonly (ControllerMode | "automatic")[] = [
  "dns",
  "client",
  "manual",
  "external",
  "automatic",
];
const DIRECTIONS: readonly LinkDirection[] = ["upstream", "downstream", "both"];
/** Each region gets 127.0.N.1 with N = 1..9. */
export const MAX_REGIONS = 9;
export const MAX_RETRY_ATTEMPTS = 10;

/** The values used for anything a drill file leaves out. */
export const DEFAULTS = {
  description: "",
  platform: "local",
  database: { engine: "postgres", replication: "async", synchronousCommit: "on", syncStandbys: 1 },
  interRegionLatencyMs: 0,
  controllerMode: "dns",
  onCallDelayMs: 0,
  healthCheck: { intervalMs: 1_000, timeoutMs: 500, failureThreshold: 3 },
  dns: { name: "api.drill.test", ttlMs: 5_000 },
  workload: { clients: 4, ratePerSecond: 400, durationMs: 30_000, requestTimeoutMs: 1_000 },
  retry: { attempts: 1, backoffMs: 0 },
  recoveryWaitMs: 3_000,
  regionOutageMode: "kill",
  jitterMs: 0,
  direction: "both",
  toxicity: 1,
  blackholeAfterMs: 0,
  resetPeerAfterMs: 0,
  slicerSizeVariation: 0,
  slicerDelayUs: 0,
  app: REFERENCE_APP_ENDPOINTS,
} as const;

/** What the command line may override. Applied before validation, so every check sees the effective value. */
export interface DrillOverrides {
  /** Replaces the drill's `platform` (`--platform`). */
  platform?: Platform;
}

export async function loadDrill(file: string, overrides: DrillOverrides = {}): Promise<Drill> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new DrillValidationError([{ file, path: "", message: `cannot read the drill file: ${reason}` }]);
  }
  return parseDrill(text, file, overrides);
}

/**
 * Pure apart from resolving `file` against the working directory (app.workingDir is the drill file's
 * directory): text in, Drill out, or a DrillValidationError listing every problem.
 */
export function parseDrill(text: string, file: string, overrides: DrillOverrides = {}): Drill {
  const lines = new LineCounter();
  const source = text.replace(/^\uFEFF/, "");
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // The tree after a syntax error is a guess; report the syntax and nothing built on it.
    // Only the first error on a line: the parser's follow-up errors there are echoes of it.
    const firstPerLine = doc.errors.filter(
      (error, i) =>
        doc.errors.findIndex((e) => lines.linePos(e.pos[0]).line === lines.linePos(error.pos[0]).line) === i,
    );
    const hint = (line: number): string => quoteHint(source.split("\n")[line - 1] ?? "");
    throw new DrillValidationError(firstPerLine.map((error) => syntaxProblem(file, lines, error, hint)));
  }
  const reader = new DrillReader(file, doc, lines);
  const root = doc.contents === null ? undefined : { node: doc.contents, path: "" };
  const drill = readDrill(reader, root, overrides, dirname(resolve(file)));
  if (reader.problems.length > 0) throw new DrillValidationError(sortByPosition(reader.problems));
  // Every path that gives up records a problem first; reaching this is a bug in the loader.
  if (drill === undefined) throw new Error(`${file}: drill rejected without a reported problem`);
  return drill;
}

/**
 * `rto.max: >= 2s` is a YAML block scalar and `!= 0` a tag: objectives must be quoted. `{{PORT}}` in
 * a flow list or mapping is flow syntax: templates must be quoted.
 */
function quoteHint(line: string): string {
  const match = /^\s*[\w.-]+:\s*([<>!=]=?\s*[^"'\s].*?)\s*$/.exec(line);
  if (match) return ` (quote objective expressions: "${match[1]}")`;
  const template = /\{\{\s*[^{}]*?\s*\}\}/.exec(line);
  return template ? ` (quote text with templates: "...${template[0]}...")` : "";
}

function sortByPosition(problems: DrillProblem[]): DrillProblem[] {
  const key = (p: DrillProblem) => (p.line ?? 0) * 1e6 + (p.column ?? 0);
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => key(a.p) - key(b.p) || a.i - b.i)
    .map(({ p }) => p);
}

function readDrill(
  r: DrillReader,
  root: Field | undefined,
  overrides: DrillOverrides,
  workingDir: string,
): Drill | undefined {
  if (root === undefined || r.isNull(root)) {
    r.reportAt(undefined, "", "the drill file is empty; expected a mapping with at least name and regions");
    return undefined;
  }
  const top = r.mapping(root, "", DRILL_FIELDS[""], "a mapping of drill fields (name, regions, ...)");
  if (top === undefined) return undefined;

  const nameField = top.require("name", "a drill name like region-outage");
  const name =
    nameField && r.pattern(nameField, DRILL_NAME, "lowercase letters, digits and hyphens (region-outage)");
  const descriptionField = top.get("description");
  const description = descriptionField ? r.string(descriptionField) : DEFAULTS.description;
  const platformField = top.get("platform");
  const written = platformField ? r.oneOf(platformField, PLATFORMS) : DEFAULTS.platform;
  const platform = overrides.platform ?? written;
  const docker = readDocker(r, top);
  const app = readApp(r, top, platform, overrides.platform !== undefined, workingDir);

  const regions = readRegions(r, top);
  const database = readDatabase(r, top, regions);
  const network = readNetwork(r, top, regions);
  const controller = readController(r, top);
  const dns = readDns(r, top);
  const workload = readWorkload(r, top);
  const faults = readFaults(r, top, regions, workload?.durationMs);
  const recovery = readSection(r, top, "recovery", (m) => {
    const wait = m.get("wait");
    const waitMs = wait ? r.duration(wait, { positive: false }) : DEFAULTS.recoveryWaitMs;
    return waitMs === undefined ? undefined : { waitMs };
  });
  const objectives = readObjectives(r, top);

  if (
    name === undefined ||
    description === undefined ||
    written === undefined ||
    platform === undefined ||
    docker === undefined ||
    app === undefined ||
    regions === undefined ||
    database === undefined ||
    network === undefined ||
    controller === undefined ||
    dns === undefined ||
    workload === undefined ||
    faults === undefined ||
    recovery === undefined ||
    objectives === undefined
  ) {
    return undefined;
  }
  return {
    name,
    description,
    platform,
    docker,
    app,
    regions,
    database,
    network,
    controller,
    dns,
    workload,
    faults,
    recovery,
    objectives,
  };
}

/**
 * An optional mapping section: `read` gets it (or an empty stand-in when absent, so defaults apply)
 * and returns undefined if anything inside was wrong.
 */
function readSection<T>(
  r: DrillReader,
  parent: Mapping,
  key: keyof typeof DRILL_FIELDS & string,
  read: (m: Mapping) => T | undefined,
): T | undefined {
  const field = parent.get(key);
  const known = DRILL_FIELDS[key];
  if (field === undefined) return read(Mapping.empty(r, key));
  const mapping = r.mapping(field, key, known);
  return mapping && read(mapping);
}

function readDocker(r: DrillReader, top: Mapping): Drill["docker"] | undefined {
  return readSection(r, top, "docker", (m) => {
    const imagesField = m.get("images");
    const images = imagesField
      ? r.mapping(imagesField, "docker.images", DRILL_FIELDS["docker.images"])
      : Mapping.empty(r, "docker.images");
    if (images === undefined) return undefined;
    const postgresField = images.get("postgres");
    const toxiproxyField = images.get("toxiproxy");
    const postgresImage = postgresField && r.pattern(postgresField, IMAGE_REF, IMAGE_EXAMPLE);
    const toxiproxyImage = toxiproxyField && r.pattern(toxiproxyField, IMAGE_REF, IMAGE_EXAMPLE);
    if ((postgresField && postgresImage === undefined) || (toxiproxyField && toxiproxyImage === undefined)) {
      return undefined;
    }
    return {
      ...(postgresImage === undefined ? {} : { postgresImage }),
      ...(toxiproxyImage === undefined ? {} : { toxiproxyImage }),
    };
  });
}

/** `overridden`: the platform came from the command line, which the problem about app.image says. */
function readApp(
  r: DrillReader,
  top: Mapping,
  platform: Platform | undefined,
  overridden: boolean,
  workingDir: string,
): AppSpec | undefined {
  return readSection(r, top, "app", (m) => {
    const d = DEFAULTS.app;
    const imageField = m.get("image");
    let image = imageField && r.pattern(imageField, IMAGE_REF, IMAGE_EXAMPLE);
    if (imageField && image !== undefined && platform === "local") {
      // On local the app is a process: an image would silently be ignored.
      const via = overridden ? " (--platform local)" : "";
      r.report(imageField, `needs platform: docker${via}; on local use app.command`);
      image = undefined;
    }
    const commandField = m.get("command");
    const command = commandField && readCommand(r, commandField);
    const portField = m.get("port");
    const port = portField ? r.integer(portField, 1, 65_535) : d.port;
    const healthField = m.get("healthPath");
    const healthPath = healthField
      ? r.pattern(healthField, /^\/\S*$/, 'a path starting with "/", e.g. "/health"')
      : d.healthPath;
    const writeField = m.get("writePath");
    const writePath = writeField ? readWritePath(r, writeField) : d.writePath;
    const env = readEnv(r, m.get("env"));
    if (
      (imageField && image === undefined) ||
      (commandField && command === undefined) ||
      port === undefined ||
      healthPath === undefined ||
      writePath === undefined ||
      env === undefined
    ) {
      return undefined;
    }
    return {
      ...(image === undefined ? {} : { image }),
      ...(command === undefined ? {} : { command }),
      workingDir,
      port,
      healthPath,
      writePath,
      env,
    };
  });
}

/** An argv list; a single string is refused rather than split, since splitting cannot know about quoting. */
function readCommand(r: DrillReader, field: Field): string[] | undefined {
  const items = r.sequence(
    field,
    "a list of arguments like [node, server.js] (a single string is not split into arguments)",
  );
  if (items === undefined) return undefined;
  if (items.length === 0) {
    r.report(field, "expected at least one argument: the program to run (omit command for the default)");
    return undefined;
  }
  const args = items.map((item) => readTemplated(r, item, "arguments"));
  return args.every((arg) => arg !== undefined) ? (args as string[]) : undefined;
}

/** Text that may use APP_TEMPLATE_VARIABLES; `what` names the kind of text for a number that needs quoting. */
function readTemplated(r: DrillReader, field: Field, what: string): string | undefined {
  const text = r.string(field, `a quoted string (${what} are text)`);
  if (text === undefined) return undefined;
  let known = true;
  for (const [, name = ""] of text.matchAll(TEMPLATE)) {
    if ((APP_TEMPLATE_VARIABLES as readonly string[]).includes(name)) continue;
    const guess = closest(name, APP_TEMPLATE_VARIABLES);
    const hint = guess === undefined ? "" : `did you mean {{${guess}}}? `;
    const names = APP_TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(", ");
    r.report(field, `unknown template variable {{${name}}}; ${hint}expected one of: ${names}`);
    known = false;
  }
  return known ? text : undefined;
}

/** The workload fills in exactly `{{id}}` (no spaces, no other variables). */
function readWritePath(r: DrillReader, field: Field): string | undefined {
  const path = r.pattern(field, /^\//, 'a path starting with "/", e.g. "/writes/{{id}}"');
  if (path === undefined) return undefined;
  for (const [written, name = ""] of path.matchAll(TEMPLATE)) {
    if (written === "{{id}}") continue;
    const fix =
      name === "id" ? "write it without spaces: {{id}}" : "only {{id}} (the write's id) is filled in";
    r.report(field, `unexpected template ${written}; ${fix}`);
    return undefined;
  }
  if (!path.includes("{{id}}")) {
    r.report(
      field,
      `must contain {{id}} where the write's id goes, e.g. "/writes/{{id}}", got ${JSON.stringify(path)}`,
    );
    return undefined;
  }
  return path;
}

function readEnv(r: DrillReader, field: Field | undefined): Record<string, string> | undefined {
  if (field === undefined) return {};
  const m = r.mapping(field, "app.env", undefined, "a mapping of environment variable names to values");
  if (m === undefined) return undefined;
  const env: Record<string, string> = {};
  let complete = true;
  for (const key of m.keys()) {
    const keyField = m.keyField(key);
    if (!ENV_NAME.test(key) && keyField) {
      r.report(
        keyField,
        "expected an environment variable name (letters, digits and _, not starting with a digit)",
      );
      complete = false;
      continue;
    }
    const value = m.require(key, 'a quoted string (env values are text), e.g. ""');
    const text = value && readTemplated(r, value, "env values");
    if (text === undefined) complete = false;
    else env[key] = text;
  }
  return complete ? env : undefined;
}

function readRegions(r: DrillReader, top: Mapping): RegionSpec[] | undefined {
  const field = top.require("regions", "a list of at least 2 regions, exactly one with role: primary");
  const items = field && r.sequence(field);
  if (field === undefined || items === undefined) return undefined;
  const regions: RegionSpec[] = [];
  let complete = true;
  const seen = new Map<string, string>();
  for (const item of items) {
    const m = r.mapping(item, "regions[]", DRILL_FIELDS["regions[]"]);
    if (m === undefined) {
      complete = false;
      continue;
    }
    const nameField = m.require("name", "a region name like us-east");
    const name =
      nameField &&
      r.pattern(nameField, REGION_NAME, "a DNS-label-like name: lowercase letters, digits, hyphens");
    const roleField = m.require("role", `one of: ${REGION_ROLES.join(", ")}`);
    const role = roleField && r.oneOf(roleField, REGION_ROLES);
    if (nameField && name !== undefined) {
      const first = seen.get(name);
      if (first !== undefined) {
        r.report(nameField, `region name "${name}" is already used by ${first}; region names must be unique`);
        complete = false;
      } else {
        seen.set(name, item.path);
      }
    }
    if (name === undefined || role === undefined) complete = false;
    else regions.push({ name, role });
  }
  if (items.length < 2) {
    r.report(field, `expected at least 2 regions (a primary and a standby), got ${items.length}`);
    return undefined;
  }
  if (items.length > MAX_REGIONS) {
    r.report(field, `expected at most ${MAX_REGIONS} regions (127.0.1.1 .. 127.0.9.1), got ${items.length}`);
    return undefined;
  }
  const primaries = regions.filter((region) => region.role === "primary");
  if (complete && primaries.length !== 1) {
    const got =
      primaries.length === 0 ? "none" : `${primaries.length} (${primaries.map((p) => p.name).join(", ")})`;
    r.report(field, `expected exactly one region with role: primary, got ${got}`);
    return undefined;
  }
  return complete ? regions : undefined;
}

function readDatabase(
  r: DrillReader,
  top: Mapping,
  regions: RegionSpec[] | undefined,
): Drill["database"] | undefined {
  return readSection(r, top, "database", (m) => {
    const d = DEFAULTS.database;
    const engineField = m.get("engine");
    const engine = engineField ? r.oneOf(engineField, ["postgres"] as const) : d.engine;
    const replicationField = m.get("replication");
    const replication = replicationField ? r.oneOf(replicationField, REPLICATION_MODES) : d.replication;
    const commitField = m.get("synchronousCommit");
    const synchronousCommit = commitField ? r.oneOf(commitField, SYNCHRONOUS_COMMIT) : d.synchronousCommit;
    const standbysField = m.get("syncStandbys");
    let syncStandbys = standbysField ? r.integer(standbysField, 1) : d.syncStandbys;
    const binDirField = m.get("binDir");
    const binDir = binDirField && r.string(binDirField);
    const settings = readSettings(r, m.get("settings"));
    let complete = true;
    if (replication === "async") {
      // Fields that would silently do nothing are refused, so nobody believes they tested sync.
      for (const field of [commitField, standbysField]) {
        if (field === undefined) continue;
        r.report(field, "only applies to sync or semi-sync replication; remove it or set replication");
        complete = false;
      }
    } else if (standbysField && syncStandbys !== undefined && regions !== undefined) {
      // Every standby is in a region of its own, so for semi-sync "in other regions" is every standby.
      const standbys = regions.filter((region) => region.role === "standby").length;
      if (syncStandbys > standbys) {
        const which = replication === "sync" ? "standbys" : "standbys in other regions";
        r.report(standbysField, `must be at most the number of ${which} (${standbys}), got ${syncStandbys}`);
        syncStandbys = undefined;
      }
    }
    if (
      !complete ||
      engine === undefined ||
      replication === undefined ||
      synchronousCommit === undefined ||
      syncStandbys === undefined ||
      settings === undefined
    ) {
      return undefined;
    }
    if (binDirField !== undefined && binDir === undefined) return undefined;
    return {
      engine,
      replication,
      synchronousCommit,
      syncStandbys,
      ...(binDir === undefined ? {} : { binDir }),
      settings,
    };
  });
}

function readNetwork(
  r: DrillReader,
  top: Mapping,
  regions: RegionSpec[] | undefined,
): Drill["network"] | undefined {
  return readSection(r, top, "network", (m) => {
    const latency = m.get("interRegionLatency");
    const interRegionLatencyMs = latency
      ? r.duration(latency, { positive: false })
      : DEFAULTS.interRegionLatencyMs;
    const pairs = readPairs(r, m.get("pairs"), regions);
    return interRegionLatencyMs === undefined || pairs === undefined
      ? undefined
      : { interRegionLatencyMs, pairs };
  });
}

function readPairs(
  r: DrillReader,
  field: Field | undefined,
  regions: RegionSpec[] | undefined,
): Drill["network"]["pairs"] | undefined {
  if (field === undefined) return [];
  const items = r.sequence(field);
  if (items === undefined) return undefined;
  const pairs: Drill["network"]["pairs"] = [];
  const seen = new Map<string, string>();
  let complete = true;
  for (const item of items) {
    const m = r.mapping(item, "network.pairs[]", DRILL_FIELDS["network.pairs[]"]);
    if (m === undefined) {
      complete = false;
      continue;
    }
    const betweenField = m.require("between", "two region names, e.g. [us-east, ap-south]");
    const between = readBetween(
      r,
      betweenField,
      regions,
      (a) => `a pair needs two different regions, got "${a}" twice (latency inside a region is 0)`,
    );
    const latencyField = m.require("latency", 'the one-way latency between the two regions, e.g. "80ms"');
    const latencyMs = latencyField && r.duration(latencyField, { positive: false });
    if (betweenField && between !== undefined) {
      const key = [...between].sort().join(" ");
      const first = seen.get(key);
      if (first !== undefined) {
        r.report(
          betweenField,
          `the pair ${between.join(", ")} is already given by ${first}; give each pair once`,
        );
        complete = false;
        continue;
      }
      seen.set(key, item.path);
    }
    if (between === undefined || latencyMs === undefined) complete = false;
    else pairs.push({ between, latencyMs });
  }
  return complete ? pairs : undefined;
}

function readSettings(r: DrillReader, field: Field | undefined): Record<string, string> | undefined {
  if (field === undefined) return {};
  const m = r.mapping(field, "database.settings", undefined);
  if (m === undefined) return undefined;
  const settings: Record<string, string> = {};
  let complete = true;
  for (const key of m.keys()) {
    const keyField = m.keyField(key);
    if (!SETTING_NAME.test(key) && keyField) {
      r.report(keyField, "expected a postgresql.conf setting name (letters, digits, _ and .)");
      complete = false;
      continue;
    }
    const value = m.require(key, "a postgresql.conf value");
    const text = value && r.scalarText(value);
    if (text === undefined) complete = false;
    else settings[key] = text;
  }
  return complete ? settings : undefined;
}

function readController(r: DrillReader, top: Mapping): Drill["controller"] | undefined {
  return readSection(r, top, "controller", (m) => {
    const modeField = m.get("mode");
    const written = modeField ? r.oneOf(modeField, CONTROLLER_MODES) : DEFAULTS.controllerMode;
    const mode = written === "automatic" ? "dns" : written;
    const onCallField = m.get("onCallDelay");
    let onCallDelayMs = onCallField ? r.duration(onCallField, { positive: false }) : DEFAULTS.onCallDelayMs;
    if (onCallField && mode !== undefined && mode !== "manual") {
      r.report(onCallField, `only applies to controller.mode manual (mode is ${mode})`);
      onCallDelayMs = undefined;
    }
    const healthField = m.get("healthCheck");
    const hm = healthField
      ? r.mapping(healthField, "controller.healthCheck", DRILL_FIELDS["controller.healthCheck"])
      : Mapping.empty(r, "controller.healthCheck");
    if (hm === undefined) return undefined;
    const d = DEFAULTS.healthCheck;
    const intervalField = hm.get("interval");
    const timeoutField = hm.get("timeout");
    const thresholdField = hm.get("failureThreshold");
    const intervalMs = intervalField ? r.duration(intervalField, { positive: true }) : d.intervalMs;
    const timeoutMs = timeoutField ? r.duration(timeoutField, { positive: true }) : d.timeoutMs;
    const failureThreshold = thresholdField ? r.integer(thresholdField, 1) : d.failureThreshold;
    if (intervalMs === undefined || timeoutMs === undefined || failureThreshold === undefined) {
      return undefined;
    }
    if (timeoutMs >= intervalMs) {
      // The controller probes once per interval; a probe that may outlive it would overlap the next.
      if (timeoutField) {
        r.report(
          timeoutField,
          `must be less than the interval (${formatDuration(intervalMs)}) so each probe ends before the next, ` +
            `got ${formatDuration(timeoutMs)}`,
        );
      } else if (intervalField) {
        r.report(
          intervalField,
          `must be greater than the timeout (${formatDuration(timeoutMs)}, the default) so each probe ends ` +
            `before the next, got ${formatDuration(intervalMs)}`,
        );
      }
      return undefined;
    }
    if (mode === undefined || onCallDelayMs === undefined) return undefined;
    return { mode, healthCheck: { intervalMs, timeoutMs, failureThreshold }, onCallDelayMs };
  });
}

function readDns(r: DrillReader, top: Mapping): Drill["dns"] | undefined {
  return readSection(r, top, "dns", (m) => {
    const nameField = m.get("name");
    const name = nameField
      ? r.pattern(nameField, DNS_NAME, "a lowercase DNS name like api.drill.test")
      : DEFAULTS.dns.name;
    const ttlField = m.get("ttl");
    let ttlMs: number | undefined = DEFAULTS.dns.ttlMs;
    if (ttlField) {
      ttlMs = r.duration(ttlField, { positive: false });
      if (ttlMs !== undefined && ttlMs % 1000 !== 0) {
        r.report(
          ttlField,
          `must be whole seconds (DNS carries the TTL in seconds), got ${formatDuration(ttlMs)}`,
        );
        ttlMs = undefined;
      }
    }
    return name === undefined || ttlMs === undefined ? undefined : { name, ttlMs };
  });
}

function readWorkload(r: DrillReader, top: Mapping): Drill["workload"] | undefined {
  return readSection(r, top, "workload", (m) => {
    const d = DEFAULTS.workload;
    const clientsField = m.get("clients");
    const rateField = m.get("rate");
    const durationField = m.get("duration");
    const timeoutField = m.get("requestTimeout");
    const clients = clientsField ? r.integer(clientsField, 1) : d.clients;
    const ratePerSecond = rateField ? r.rate(rateField) : d.ratePerSecond;
    const durationMs = durationField ? r.duration(durationField, { positive: true }) : d.durationMs;
    const requestTimeoutMs = timeoutField ? r.duration(timeoutField, { positive: true }) : d.requestTimeoutMs;
    const retry = readRetry(r, m.get("retry"));
    if (
      clients === undefined ||
      ratePerSecond === undefined ||
      durationMs === undefined ||
      requestTimeoutMs === undefined ||
      retry === undefined
    ) {
      return undefined;
    }
    return { clients, ratePerSecond, durationMs, requestTimeoutMs, retry };
  });
}

function readRetry(r: DrillReader, field: Field | undefined): Drill["workload"]["retry"] | undefined {
  const m = field
    ? r.mapping(field, "workload.retry", DRILL_FIELDS["workload.retry"])
    : Mapping.empty(r, "workload.retry");
  if (m === undefined) return undefined;
  const attemptsField = m.get("attempts");
  const backoffField = m.get("backoff");
  const attempts = attemptsField ? r.integer(attemptsField, 1, MAX_RETRY_ATTEMPTS) : DEFAULTS.retry.attempts;
  const backoffMs = backoffField ? r.duration(backoffField, { positive: false }) : DEFAULTS.retry.backoffMs;
  return attempts === undefined || backoffMs === undefined ? undefined : { attempts, backoffMs };
}

function readFaults(
  r: DrillReader,
  top: Mapping,
  regions: RegionSpec[] | undefined,
  workloadMs: number | undefined,
): Fault[] | undefined {
  const field = top.get("faults");
  if (field === undefined) return [];
  const items = r.sequence(field);
  if (items === undefined) return undefined;
  const faults: Fault[] = [];
  for (const item of items) {
    const fault = readFault(r, item, regions, workloadMs);
    if (fault !== undefined) faults.push(fault);
  }
  return faults.length === items.length ? faults : undefined;
}

function readFault(
  r: DrillReader,
  item: Field,
  regions: RegionSpec[] | undefined,
  workloadMs: number | undefined,
): Fault | undefined {
  const probe = r.mapping(item, "faults[]", undefined);
  if (probe === undefined) return undefined;
  const typeField = probe.require("type", `one of: ${FAULT_TYPES.join(", ")}`);
  const type = typeField && r.oneOf(typeField, FAULT_TYPES);
  const level = type === undefined ? "faults[]" : (`faults[${type}]` as const);
  // Re-read with the fields of this type (or of any type, when the type itself is wrong).
  const m = r.mapping(item, level, type === undefined ? ANY_FAULT_FIELDS : DRILL_FIELDS[`faults[${type}]`]);
  if (m === undefined) return undefined;

  const atField = m.require("at", 'when the fault starts, relative to the workload start, e.g. "10s"');
  const atMs = atField && r.duration(atField, { positive: false });
  const durationField = m.get("duration");
  const durationMs = durationField && r.duration(durationField, { positive: true });
  if (atField && atMs !== undefined && workloadMs !== undefined) {
    const workload = `the workload ends at ${formatDuration(workloadMs)} (workload.duration)`;
    if (atMs >= workloadMs) {
      r.report(atField, `starts at ${formatDuration(atMs)} but ${workload}`);
    } else if (durationField && durationMs !== undefined && atMs + durationMs > workloadMs) {
      const end = formatDuration(atMs + durationMs);
      r.report(durationField, `the fault would last until ${end} but ${workload}; shorten it or omit it`);
    }
  }
  const timing =
    atMs === undefined || (durationField !== undefined && durationMs === undefined) ? undefined : atMs;
  const optionalDuration = durationMs === undefined ? {} : { durationMs };

  switch (type) {
    case "region-outage": {
      const region = readRegionRef(r, m.require("region", "the name of the region that goes dark"), regions);
      const modeField = m.get("mode");
      const mode = modeField ? r.oneOf(modeField, OUTAGE_MODES) : DEFAULTS.regionOutageMode;
      if (timing === undefined || region === undefined || mode === undefined) return undefined;
      return { type, atMs: timing, ...optionalDuration, region, mode };
    }
    case "partition": {
      const between = readBetween(
        r,
        m.require("between", "two region names, e.g. [us-east, eu-west]"),
        regions,
        (a) => `cannot partition region "${a}" from itself; name two different regions`,
      );
      if (timing === undefined || between === undefined) return undefined;
      return { type, atMs: timing, ...optionalDuration, between };
    }
    case "latency": {
      const latencyField = m.require("latency", 'the one-way delay to add, e.g. "200ms"');
      const latencyMs = latencyField && r.duration(latencyField, { positive: true });
      const jitterField = m.get("jitter");
      const jitterMs = jitterField ? r.duration(jitterField, { positive: false }) : DEFAULTS.jitterMs;
      const link = readLinkFault(r, m, regions);
      if (timing === undefined || latencyMs === undefined || jitterMs === undefined || link === undefined) {
        return undefined;
      }
      return { type, atMs: timing, ...optionalDuration, latencyMs, jitterMs, ...link };
    }
    case "bandwidth":
    case "blackhole":
    case "reset-peer":
    case "slow-close":
    case "limit-data":
    case "slicer": {
      const attributes = readToxicAttributes(r, m, type);
      const link = readLinkFault(r, m, regions);
      if (timing === undefined || attributes === undefined || link === undefined) return undefined;
      const fault: LinkToxicFault = { type, atMs: timing, ...optionalDuration, ...link, attributes };
      return fault;
    }
    case undefined:
      return undefined;
  }
}

/** The fields every link fault shares: which links, which way, how often. */
function readLinkFault(
  r: DrillReader,
  m: Mapping,
  regions: RegionSpec[] | undefined,
): { target: LinkSelector; direction: LinkDirection; toxicity: number } | undefined {
  const regionField = m.get("region");
  const region = regionField && readRegionRef(r, regionField, regions);
  const linksField = m.get("links");
  const links = linksField && readLinks(r, linksField);
  const directionField = m.get("direction");
  const direction = directionField ? r.oneOf(directionField, DIRECTIONS) : DEFAULTS.direction;
  const toxicityField = m.get("toxicity");
  const toxicity = toxicityField ? r.fraction(toxicityField) : DEFAULTS.toxicity;
  if (
    (regionField && region === undefined) ||
    (linksField && links === undefined) ||
    direction === undefined ||
    toxicity === undefined
  ) {
    return undefined;
  }
  const target: LinkSelector = {
    ...(region === undefined ? {} : { region }),
    ...(links === undefined ? {} : { links }),
  };
  return { target, direction, toxicity };
}

/** The toxic's attributes under Toxiproxy's names and in its units (see LinkToxicType). */
function readToxicAttributes(
  r: DrillReader,
  m: Mapping,
  type: LinkToxicFault["type"],
): Record<string, number> | undefined {
  const size = (field: Field | undefined) => field && r.measure(field, parseSize, SIZE_EXAMPLE);
  switch (type) {
    case "bandwidth": {
      const field = m.require("rate", 'the bandwidth left, e.g. "64KB/s"');
      const rate = field && r.measure(field, parseBandwidth, BANDWIDTH_EXAMPLE);
      return rate === undefined ? undefined : { rate };
    }
    case "blackhole":
    case "reset-peer": {
      const field = m.get("after");
      const fallback = type === "blackhole" ? DEFAULTS.blackholeAfterMs : DEFAULTS.resetPeerAfterMs;
      const timeout = field ? wholeMilliseconds(r, field) : fallback;
      return timeout === undefined ? undefined : { timeout };
    }
    case "slow-close": {
      const field = m.require("delay", 'how long to hold the close back, e.g. "2s"');
      const delay = field && wholeMilliseconds(r, field);
      return delay === undefined ? undefined : { delay };
    }
    case "limit-data": {
      const bytes = size(
        m.require("bytes", 'the bytes let through before the connection closes, e.g. "64KB"'),
      );
      return bytes === undefined ? undefined : { bytes };
    }
    case "slicer": {
      const averageField = m.require("averageSize", 'the average slice size, e.g. "1KB" or 64');
      let averageSize = size(averageField);
      const variationField = m.get("sizeVariation");
      const sizeVariation = variationField ? size(variationField) : DEFAULTS.slicerSizeVariation;
      const delayField = m.get("delay");
      const delay = delayField ? r.measure(delayField, parseMicros, MICROS_EXAMPLE) : DEFAULTS.slicerDelayUs;
      if (averageField && averageSize === 0) {
        r.report(averageField, "must be at least 1 byte");
        averageSize = undefined;
      }
      if (variationField && averageSize !== undefined && sizeVariation !== undefined) {
        if (sizeVariation >= averageSize) {
          r.report(
            variationField,
            `must be less than averageSize (${averageSize} bytes) so every slice has data, got ${sizeVariation}`,
          );
          return undefined;
        }
      }
      if (averageSize === undefined || sizeVariation === undefined || delay === undefined) return undefined;
      return { average_size: averageSize, size_variation: sizeVariation, delay };
    }
  }
}

/** A duration in whole milliseconds, Toxiproxy's unit for timeouts and delays. */
function wholeMilliseconds(r: DrillReader, field: Field): number | undefined {
  const ms = r.duration(field, { positive: false });
  if (ms === undefined || Number.isInteger(ms)) return ms;
  r.report(field, `must be whole milliseconds (Toxiproxy's unit), got ${formatDuration(ms)}`);
  return undefined;
}

function readRegionRef(
  r: DrillReader,
  field: Field | undefined,
  regions: RegionSpec[] | undefined,
): string | undefined {
  if (field === undefined) return undefined;
  const name = r.string(field);
  if (name === undefined || regions === undefined) return undefined;
  if (regions.some((region) => region.name === name)) return name;
  r.report(
    field,
    `unknown region "${name}"; expected one of: ${regions.map((region) => region.name).join(", ")}`,
  );
  return undefined;
}

function readBetween(
  r: DrillReader,
  field: Field | undefined,
  regions: RegionSpec[] | undefined,
  sameRegion: (name: string) => string,
): [string, string] | undefined {
  const items = field && r.sequence(field);
  if (field === undefined || items === undefined) return undefined;
  if (items.length !== 2) {
    r.report(field, `expected exactly two region names, got ${items.length}`);
    return undefined;
  }
  const [a, b] = items.map((item) => readRegionRef(r, item, regions));
  if (a === undefined || b === undefined) return undefined;
  if (a === b) {
    r.report(field, sameRegion(a));
    return undefined;
  }
  return [a, b];
}

function readLinks(r: DrillReader, field: Field): LinkKind[] | undefined {
  const items = r.sequence(field);
  if (items === undefined) return undefined;
  if (items.length === 0) {
    r.report(field, `expected at least one link kind of: ${LINK_KINDS.join(", ")} (omit links for all)`);
    return undefined;
  }
  const links = items.map((item) => r.oneOf(item, LINK_KINDS));
  if (links.some((link) => link === undefined)) return undefined;
  return [...new Set(links as LinkKind[])];
}

function readObjectives(r: DrillReader, top: Mapping): Objective[] | undefined {
  const field = top.get("objectives");
  if (field === undefined) return [];
  const m = r.mapping(field, "objectives", undefined);
  if (m === undefined) return undefined;
  const objectives: Objective[] = [];
  let complete = true;
  for (const metric of m.keys()) {
    const definition = findMetric(metric);
    const keyField = m.keyField(metric);
    if (definition === undefined && keyField) {
      const guess = closest(metric, METRIC_NAMES);
      const hint = guess === undefined ? "" : `did you mean "${guess}"? `;
      r.report(keyField, `unknown metric "${metric}"; ${hint}expected one of: ${METRIC_NAMES.join(", ")}`);
      complete = false;
      continue;
    }
    const value = m.require(metric, `an objective like "${OBJECTIVE_EXAMPLES[definition?.unit ?? "ms"]}"`);
    const text = value && r.string(value);
    if (value === undefined || text === undefined) {
      complete = false;
      continue;
    }
    try {
      objectives.push(parseObjective(metric, text));
    } catch (err) {
      if (!(err instanceof ObjectiveError)) throw err;
      r.report(value, err.message);
      complete = false;
    }
  }
  return complete ? objectives : undefined;
}
