// Latency between regions: one default for every cross-region link, and overrides per region pair.
import { required, withDefault } from "../schema/fields.ts";
import { list } from "../schema/list.ts";
import { mapping } from "../schema/mapping.ts";
import type { Static } from "../schema/spec.ts";
import { regionPair } from "./common.ts";
import { duration } from "./units.ts";

const PAIR = mapping({
  between: required(
    regionPair((a) => `a pair needs two different regions, got "${a}" twice (latency inside a region is 0)`),
    "two region names, e.g. [us-east, ap-south]",
    { description: "Two different regions." },
  ),
  latency: required(
    duration({ positive: false }),
    'the one-way latency between the two regions, e.g. "80ms"',
    {
      as: "latencyMs",
      description: "One-way latency added in both directions on links between the two regions.",
    },
  ),
});

export const NETWORK = mapping({
  interRegionLatency: withDefault(duration({ positive: false }), 0, {
    as: "interRegionLatencyMs",
    description: "One-way latency added on each cross-region link, both directions.",
  }),
  pairs: withDefault(
    list(PAIR, {
      unique: {
        field: "between",
        key: (between) => [...(between as string[])].sort().join(" "),
        message: (between, first) =>
          `the pair ${(between as string[]).join(", ")} is already given by ${first}; give each pair once`,
      },
    }),
    [],
    {
      description:
        "One-way latency for particular region pairs, overriding interRegionLatency; each unordered pair " +
        "at most once.",
    },
  ),
});

/** The normalised network section (the topology reads it without the rest of the drill). */
export type NetworkSpec = Static<typeof NETWORK>;
