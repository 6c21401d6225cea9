// The drill format, defined once: every field, its default, its description and the checks across
// fields. The loader reads drill files with it, the TypeScript type Drill is inferred from it
// (src/drill/types.ts), and schema/drill.schema.json is generated from it (npm run schema).
import { catalogueOf } from "../schema/catalogue.ts";
import { optional, required, section, withDefault } from "../schema/fields.ts";
import { levelsOf, mapping } from "../schema/mapping.ts";
import { oneOf, pattern, text } from "../schema/scalars.ts";
import { APP } from "./app.ts";
import { DRILL_NAME, imageRef } from "./common.ts";
import { drillContext, PLATFORMS } from "./context.ts";
import { CONTROLLER } from "./controller.ts";
import { DATABASE } from "./database.ts";
import { checkDrillOnExternal, EXTERNAL } from "./external.ts";
import { FAULTS } from "./faults.ts";
import { NETWORK } from "./network.ts";
import { OBJECTIVES } from "./objectives.ts";
import { REGIONS } from "./regions.ts";
import { DNS } from "./dns.ts";
import { RECOVERY, WORKLOAD } from "./workload.ts";

const IMAGES = mapping(
  {
    /**
     * Database image; undefined = the official postgres:17 if present, else
     * failover-drill/postgres:15-bookworm if present (scripts/build-local-images.sh), else postgres:17 (pulled).
     */
    postgres: optional(imageRef, {
      as: "postgresImage",
      description: "Database image; default postgres:17, else failover-drill/postgres:15-bookworm.",
    }),
    /**
     * Toxiproxy image; undefined = the official ghcr.io/shopify/toxiproxy:2.12.0 if present, else
     * failover-drill/toxiproxy:embedded (our embedded server) if present, else the official (pulled).
     */
    toxiproxy: optional(imageRef, {
      as: "toxiproxyImage",
      description:
        "Toxiproxy image; default ghcr.io/shopify/toxiproxy:2.12.0, else failover-drill/toxiproxy:embedded.",
    }),
  },
  {
    description:
      "Images to run; each omitted one resolves to the official image if present locally, else our " +
      "locally built one if present, else the official one (pulled).",
  },
);

/** Used when the platform is docker; the normalised drill keeps the images one level up. */
const DOCKER = mapping(
  { images: section(IMAGES) },
  { description: "Used when the platform is docker.", build: ({ images }) => images },
);

/** On local the app is a process: app.image needs platform docker (the loader says so too). */
const APP_IMAGE_NEEDS_DOCKER = {
  if: { required: ["platform"], properties: { platform: { const: "docker" } } },
  else: {
    properties: {
      app: {
        not: { required: ["image"] },
        description: "app.image needs platform: docker; on local use app.command.",
      },
    },
  },
};

export const DRILL_FORMAT = mapping(
  {
    name: required(
      pattern(DRILL_NAME, "lowercase letters, digits and hyphens (region-outage)"),
      "a drill name like region-outage",
      { description: "Drill name, used in report paths." },
    ),
    description: withDefault(text(), "", { description: "One line for people reading the report." }),
    platform: withDefault(oneOf(PLATFORMS), "local", {
      description:
        "Where nodes run: local processes, docker containers (testcontainers) on a drill network, or " +
        "external: your own running environment (the external section).",
      check(written, { scope }) {
        // The command line's --platform wins, and every later check sees the effective platform.
        const context = drillContext(scope);
        context.platform = context.overrides.platform ?? written;
        return written === undefined ? undefined : context.platform;
      },
    }),
    docker: section(DOCKER),
    app: section(APP),
    regions: required(REGIONS, "a list of at least 2 regions, exactly one with role: primary", {
      description:
        "2 to 9 regions with unique names, exactly one primary (each region gets 127.B.N.1 in the run's address block B).",
      check(regions, { scope }) {
        // Region references (faults, pairs) are checked against these; not when the regions are wrong.
        drillContext(scope).regions = regions;
        return regions;
      },
    }),
    external: optional(EXTERNAL, {
      description:
        "Used when the platform is external: your environment's endpoints, databases and proxies " +
        "(docs/hooks.md); a drill meant for several platforms may keep it.",
    }),
    database: section(DATABASE),
    network: section(NETWORK),
    controller: section(CONTROLLER),
    dns: section(DNS),
    workload: section(WORKLOAD, {
      check(workload, { scope }) {
        // Every fault must end within the workload; not checked when the workload is wrong.
        drillContext(scope).workloadMs = workload?.durationMs;
        return workload;
      },
    }),
    faults: withDefault(FAULTS, [], { description: "The fault timeline." }),
    recovery: section(RECOVERY),
    objectives: withDefault(OBJECTIVES, [], {
      description: 'metric: "<operator> <limit>"; quote the value.',
    }),
  },
  {
    expected: "a mapping of drill fields (name, regions, ...)",
    schema: APP_IMAGE_NEEDS_DOCKER,
    check: (at) => checkResidencyTopology(at) && checkDrillOnExternal(at),
  },
);

/** Regions with a jurisdiction only mean something where every region takes writes. */
function checkResidencyTopology({
  values,
  fields,
  scope,
}: Parameters<typeof checkDrillOnExternal>[0]): boolean {
  const regions = values["regions"] as Array<{ jurisdiction?: string }> | undefined;
  const database = values["database"] as { topology?: string } | undefined;
  if (!regions?.some((r) => r.jurisdiction !== undefined) || database?.topology === "active-active")
    return true;
  scope.reader.report(
    fields["regions"]!,
    "regions with a jurisdiction (data residency) need database.topology: active-active",
  );
  return false;
}

/** Every level of the format and the field names accepted there. */
export const DRILL_LEVELS = levelsOf(DRILL_FORMAT);

/** What the reader needs to explain an unknown field in a drill file. */
export const DRILL_CATALOGUE = catalogueOf(DRILL_LEVELS);
