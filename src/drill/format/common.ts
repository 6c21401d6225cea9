// Names and references shared across the drill format: region names and references to them, docker
// image references.
import { pattern } from "../schema/scalars.ts";
import { named, type ValueSpec } from "../schema/spec.ts";
import { drillContext } from "./context.ts";

export const DRILL_NAME = /^[a-z0-9][a-z0-9-]*$/;
/** A DNS label: letters, digits and inner hyphens, at most 63 characters. */
export const REGION_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
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

export const regionName = named(
  "regionName",
  pattern(REGION_NAME, "a DNS-label-like name: lowercase letters, digits, hyphens"),
);

export const imageRef = named(
  "imageRef",
  pattern(IMAGE_REF, IMAGE_EXAMPLE, {
    description: "A docker image reference like postgres:17 or ghcr.io/org/app:1.2@sha256:<digest>.",
  }),
);

/** The name of one of the drill's regions. */
export const regionRef: ValueSpec<string> = {
  read(field, scope) {
    const name = scope.reader.string(field);
    const regions = drillContext(scope).regions;
    if (name === undefined || regions === undefined) return undefined;
    if (regions.some((region) => region.name === name)) return name;
    scope.reader.report(
      field,
      `unknown region "${name}"; expected one of: ${regions.map((region) => region.name).join(", ")}`,
    );
    return undefined;
  },
  schema: (builder) => regionName.schema(builder),
};

/** Two different regions of the drill; `sameRegion` words the problem when both are the same. */
export function regionPair(sameRegion: (name: string) => string): ValueSpec<[string, string]> {
  return {
    read(field, scope) {
      const items = scope.reader.sequence(field);
      if (items === undefined) return undefined;
      if (items.length !== 2) {
        scope.reader.report(field, `expected exactly two region names, got ${items.length}`);
        return undefined;
      }
      const [a, b] = items.map((item) => regionRef.read(item, scope));
      if (a === undefined || b === undefined) return undefined;
      if (a === b) {
        scope.reader.report(field, sameRegion(a));
        return undefined;
      }
      return [a, b];
    },
    schema: (builder) => ({ type: "array", minItems: 2, maxItems: 2, items: regionName.schema(builder) }),
  };
}
