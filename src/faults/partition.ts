// partition: every link between two regions is cut, both ways (replication included).
import { required } from "../drill/schema/fields.ts";
import { regionPair } from "../drill/format/common.ts";
import { linksBetween } from "../topology/topology.ts";
import { defineFaultKind, faultReason, type FaultBase } from "./kind.ts";

export type PartitionFault = FaultBase<"partition"> & {
  /** Cut every link between these two regions (e.g. replication). */
  between: [string, string];
};

export const partition = defineFaultKind({
  type: "partition",
  description: "Every link between two regions is cut.",
  fields: {
    between: required(
      regionPair((a) => `cannot partition region "${a}" from itself; name two different regions`),
      "two region names, e.g. [us-east, eu-west]",
      { description: "The two regions to cut apart." },
    ),
  },
  build: ({ between }, timing): PartitionFault => ({ type: "partition", ...timing, between }),
  describe: (f, wording) => `${wording.name(f.type)} between ${f.between[0]} and ${f.between[1]}`,
  historyValue: (f) => ({ between: f.between }),
  async apply(fault, { topology, index }) {
    const { proxies, layout } = topology;
    const reason = faultReason(index);
    const links = linksBetween(layout, fault.between[0], fault.between[1]);
    await Promise.all(links.map((l) => proxies.disable(l.proxy, reason)));
    return async () => {
      await Promise.all(links.map((l) => proxies.enable(l.proxy, reason)));
    };
  },
});
