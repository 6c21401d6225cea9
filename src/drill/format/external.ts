// platform external: the drill runs against an environment it did not start (a team's staging). The
// `external` section says where that environment is: per region the client endpoint, the database
// connection string (final read, database monitor, hooks) and the names of the user's own Toxiproxy
// proxies per link; and checkDrillOnExternal keeps a drill from asking for what the drill cannot do to
// someone else's environment (start servers, set latency, kill processes except through hooks).
import { isMap, isSeq, type Node } from "yaml";
import { fieldPath, indexPath } from "../problems.ts";
import type { Field } from "../reader.ts";
import { optional, required } from "../schema/fields.ts";
import { list } from "../schema/list.ts";
import { mapping, record } from "../schema/mapping.ts";
import { pattern } from "../schema/scalars.ts";
import { refine, type Scope } from "../schema/spec.ts";
import { REGION_NAME, regionRef } from "./common.ts";
import { drillContext } from "./context.ts";

/** Managers that leave the user's databases to the user's stack. */
export const EXTERNAL_MANAGERS: readonly string[] = ["hooks", "external"];

const HOST_PORT = /^(?:https?:\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})\/?$/;

/** host:port (or http://host:port/) of a region's client endpoint. */
const endpoint = refine(
  pattern(HOST_PORT, "host:port of the region's app, e.g. 10.0.1.5:8080 or http://app.us-east.test:8080"),
  (text, field, { reader }) => {
    const [, host, port] = HOST_PORT.exec(text)!;
    const n = Number(port);
    if (n >= 1 && n <= 65535) return { host: host!.replace(/^\[|\]$/g, ""), port: n };
    reader.report(field, `expected a port from 1 to 65535, got ${port}`);
    return undefined;
  },
);

const proxyName = pattern(/^\S+$/, "the name of one of your Toxiproxy proxies");

const PROXIES = mapping(
  {
    client: optional(proxyName, {
      description: "The proxy clients reach the region's app through (region outages cut it).",
    }),
    "app-db": optional(proxyName, {
      description: "The proxy the region's app reaches its database through.",
    }),
    replication: optional(
      record({
        expected: "a mapping of upstream region names to proxy names",
        key: { pattern: REGION_NAME, message: "expected a region name" },
        value: proxyName,
        valueExpected: "the proxy name",
      }),
      {
        description: "By upstream region: the proxy this region's standby streams from that region through.",
      },
    ),
  },
  { description: "Your proxies for the region's links, by link kind; a link without one cannot be faulted." },
);

const REGION = mapping(
  {
    name: required(regionRef, "the name of one of the drill's regions"),
    endpoint: required(endpoint, "host:port of the region's app, e.g. 10.0.1.5:8080", {
      description: "Where clients reach the region's app (through your client proxy, if you have one).",
    }),
    database: required(
      pattern(/^postgres(?:ql)?:\/\/\S+$/, "a connection string like postgres://user@host:5432/db"),
      "a connection string like postgres://user@host:5432/db",
      { description: "The region's database, for the final read, the database monitor and the hooks." },
    ),
    proxies: optional(PROXIES),
  },
  {
    check({ values: { name, proxies }, fields, scope }) {
      const regions = drillContext(scope).regions?.map((r) => r.name) ?? [];
      const wrong = Object.keys(proxies?.replication ?? {}).filter((r) => r === name || !regions.includes(r));
      if (wrong.length === 0 || fields.proxies === undefined) return true;
      const at = childField(fields.proxies, "replication") ?? fields.proxies;
      scope.reader.report(
        at,
        `${wrong.map((w) => JSON.stringify(w)).join(", ")}: expected the name of another region ` +
          `(${regions.filter((r) => r !== name).join(", ")}), the standby's upstream`,
      );
      return false;
    },
  },
);

export const EXTERNAL = mapping(
  {
    toxiproxy: required(
      refine(pattern(/^https?:\/\/\S+$/, "a URL like http://127.0.0.1:8474"), (url) =>
        url.replace(/\/+$/, ""),
      ),
      "the Toxiproxy API URL, e.g. http://127.0.0.1:8474",
      { description: "Your Toxiproxy (or compatible) server's API, where your proxies are." },
    ),
    regions: required(
      list(REGION, {
        unique: {
          field: "name",
          message: (name, first) => `region ${String(name)} is already described at ${first}`,
        },
        check: ({ items, complete, field, scope }) => checkRegions(items, complete, field, scope),
      }),
      "a list with an entry for every region: name, endpoint, database, proxies",
      { description: "One entry per drill region." },
    ),
  },
  {
    description:
      "platform external only: your environment (endpoints, databases, Toxiproxy proxies); see docs/hooks.md.",
  },
);

type ExternalRegion = NonNullable<ReturnType<typeof REGION.read>>;

/** Every drill region exactly once, all endpoints on one port (clients switch addresses, not ports). */
function checkRegions(
  items: (ExternalRegion | undefined)[],
  complete: boolean,
  field: Field,
  scope: Scope,
): ExternalRegion[] | undefined {
  if (!complete) return undefined;
  const regions = items as ExternalRegion[];
  const names = drillContext(scope).regions?.map((r) => r.name) ?? [];
  const missing = names.filter((n) => !regions.some((r) => r.name === n));
  if (missing.length > 0) {
    scope.reader.report(field, `missing ${missing.join(", ")}: expected an entry for every region`);
    return undefined;
  }
  const port = regions[0]?.endpoint.port;
  const other = regions.findIndex((r) => r.endpoint.port !== port);
  if (other >= 0) {
    const at = childField(childField(field, other), "endpoint") ?? field;
    scope.reader.report(
      at,
      `expected port ${port} like ${regions[0]!.name}'s endpoint: every region's endpoint must use ` +
        "the same port (clients move between regions by address)",
    );
    return undefined;
  }
  return regions;
}

/** The field under `field` at a key (mapping) or index (list), when the file has it. */
export function childField(field: Field | undefined, key: string | number): Field | undefined {
  const node: Node | undefined = field?.node;
  if (field === undefined || node === undefined) return undefined;
  if (typeof key === "number") {
    if (!isSeq(node)) return undefined;
    const item = node.items[key] as Node | undefined;
    return item === undefined ? undefined : { node: item, path: indexPath(field.path, key) };
  }
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
  if (pair === undefined) return undefined;
  return { node: (pair.value ?? pair.key) as Node, path: fieldPath(field.path, key) };
}

/** What the drill format's check across top-level fields sees. */
interface DrillAt {
  values: Record<string, unknown>;
  fields: Partial<Record<string, Field>>;
  scope: Scope;
}

/**
 * On platform external: the section is there, the manager leaves promotion to the user's stack, and
 * nothing asks the drill to start, configure or kill what it did not start. False rejects the drill.
 */
export function checkDrillOnExternal(at: DrillAt): boolean {
  const { values, fields, scope } = at;
  if (drillContext(scope).platform !== "external") return true;
  const r = scope.reader;
  const problems: Array<[Field | undefined, string]> = [];
  const platformField = fields["platform"];
  if (values["external"] === undefined && fields["external"] === undefined) {
    problems.push([
      platformField,
      "platform external needs the external section: your regions' endpoints, databases and proxies",
    ]);
  }
  const controller = values["controller"] as { manager?: string } | undefined;
  if (controller?.manager !== undefined && !EXTERNAL_MANAGERS.includes(controller.manager)) {
    problems.push([
      childField(fields["controller"], "manager") ?? fields["controller"] ?? platformField,
      `platform external needs controller.manager hooks or external, not ${controller.manager}: the drill ` +
        "does not promote databases it did not start",
    ]);
  }
  if (fields["network"] !== undefined) {
    problems.push([
      fields["network"],
      "does not apply to platform external: the latency between your regions is your network's",
    ]);
  }
  for (const key of ["settings", "binDir"]) {
    const f = childField(fields["database"], key);
    if (f !== undefined)
      problems.push([f, "does not apply to platform external: the drill starts no database there"]);
  }
  for (const key of ["command", "image"]) {
    const f = childField(fields["app"], key);
    if (f !== undefined)
      problems.push([f, "does not apply to platform external: your apps are already running"]);
  }
  const faults = (values["faults"] as Array<{ type: string; mode?: string }> | undefined) ?? [];
  faults.forEach((fault, i) => {
    if (fault.type !== "region-outage" || fault.mode === "network") return;
    const item = childField(fields["faults"], i);
    const mode = childField(item, "mode");
    problems.push([
      mode ?? item,
      `${mode === undefined ? "mode defaults to kill; " : ""}on platform external a region outage cuts ` +
        "your proxies (mode: network); to kill processes add a fault of type hook",
    ]);
  });
  for (const [field, message] of problems) {
    if (field !== undefined) r.report(field, message);
    else r.reportAt(undefined, "platform", message);
  }
  return problems.length === 0;
}
