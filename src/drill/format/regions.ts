// The regions: 2 to 9, unique names, exactly one primary. Each region gets 127.B.N.1 (N = 1..9) in the run's address block B.
import { optional, required } from "../schema/fields.ts";
import { list } from "../schema/list.ts";
import { mapping } from "../schema/mapping.ts";
import { oneOf, pattern } from "../schema/scalars.ts";
import { regionName } from "./common.ts";

export const REGION_ROLES = ["primary", "standby"] as const;
export const MAX_REGIONS = 9;

const REGION = mapping({
  name: required(regionName, "a region name like us-east"),
  role: required(oneOf(REGION_ROLES), `one of: ${REGION_ROLES.join(", ")}`),
  jurisdiction: optional(pattern(/^[a-z][a-z0-9-]{0,31}$/, "a jurisdiction name like eu or us"), {
    description:
      "Data residency (active-active): records homed in this region stay in regions of the same " +
      "jurisdiction; every region then needs one.",
  }),
});

export const REGIONS = list(REGION, {
  unique: {
    field: "name",
    message: (name, first) =>
      `region name "${name}" is already used by ${first}; region names must be unique`,
  },
  check({ items, complete, field, scope }) {
    const r = scope.reader;
    if (items.length < 2) {
      r.report(field, `expected at least 2 regions (a primary and a standby), got ${items.length}`);
      return undefined;
    }
    if (items.length > MAX_REGIONS) {
      r.report(
        field,
        `expected at most ${MAX_REGIONS} regions (127.B.1.1 .. 127.B.9.1 in the run's address block), got ${items.length}`,
      );
      return undefined;
    }
    const regions = items.filter((region) => region !== undefined);
    const primaries = regions.filter((region) => region.role === "primary");
    if (complete && primaries.length !== 1) {
      const got =
        primaries.length === 0 ? "none" : `${primaries.length} (${primaries.map((p) => p.name).join(", ")})`;
      r.report(field, `expected exactly one region with role: primary, got ${got}`);
      return undefined;
    }
    const withJurisdiction = regions.filter((region) => region.jurisdiction !== undefined);
    if (complete && withJurisdiction.length > 0 && withJurisdiction.length < regions.length) {
      const missing = regions.filter((region) => region.jurisdiction === undefined).map((x) => x.name);
      r.report(
        field,
        `jurisdiction is set on some regions but not on ${missing.join(", ")}; set it on all or none`,
      );
      return undefined;
    }
    return complete ? regions : undefined;
  },
  schema: { minItems: 2, maxItems: MAX_REGIONS },
});
