// bandwidth: matching links carry at most a rate, Toxiproxy's bandwidth toxic (KB/s).
import { required } from "../drill/schema/fields.ts";
import { bandwidth as bandwidthRate } from "../drill/format/units.ts";
import { toxicFaultKind } from "./link.ts";

export const bandwidth = toxicFaultKind({
  type: "bandwidth",
  toxiproxyType: "bandwidth",
  description: "Matching links carry at most rate.",
  fields: {
    rate: required(bandwidthRate, 'the bandwidth left, e.g. "64KB/s"', {
      description: "Bandwidth left, e.g. 64KB/s (1 KB = 1000 bytes); Toxiproxy's rate in KB/s.",
    }),
  },
  attributes: ({ rate }) => ({ rate }),
  what: (a, w) => `${w.name("bandwidth")} limited to ${a["rate"]} KB/s`,
});
