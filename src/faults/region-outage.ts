// region-outage: a whole region fails: its database and app die, shut down, freeze, or drop off the
// network (the mode), and every link touching it is cut (except when frozen).
import { required, withDefault } from "../drill/schema/fields.ts";
import { oneOf } from "../drill/schema/scalars.ts";
import { regionRef } from "../drill/format/common.ts";
import { linksTouchingRegion, type LinkInfo } from "../topology/topology.ts";
import { defineFaultKind, faultReason, type FaultBase } from "./kind.ts";
import { OUTAGE_MODES, type OutageMode } from "./vocabulary.ts";

export { OUTAGE_MODES, type OutageMode } from "./vocabulary.ts";

export type RegionOutageFault = FaultBase<"region-outage"> & { region: string; mode: OutageMode };

export const regionOutage = defineFaultKind({
  type: "region-outage",
  description:
    "The region fails: its database and app die, shut down, freeze, or drop off the network (mode).",
  fields: {
    region: required(regionRef, "the name of the region that goes dark", {
      description: "The region that fails.",
    }),
    mode: withDefault(oneOf(OUTAGE_MODES), "kill", {
      description:
        "kill: SIGKILL / docker kill (power loss). stop: fast shutdown (SIGINT / docker stop). pause: " +
        "frozen (SIGSTOP / docker pause); links stay up. network: every link is cut (on docker the " +
        "containers are also disconnected from the drill network) while the processes keep running.",
    }),
  },
  build: ({ region, mode }, timing): RegionOutageFault => ({
    type: "region-outage",
    ...timing,
    region,
    mode,
  }),
  describe: (f, wording) => `${wording.name(f.type)} of ${f.region} (${f.mode})`,
  historyValue: (f) => ({ region: f.region }),
  async apply(fault, { topology, index }) {
    const { proxies, layout } = topology;
    const reason = faultReason(index);
    // Network first (the region drops off the net), then its processes die. A frozen region
    // keeps its connections open (they stall), so pause leaves the links alone.
    const links = fault.mode === "pause" ? [] : linksTouchingRegion(layout, fault.region);
    // Cutting a link drops what its latency toxic holds (WAL on the wire is lost), and parallel cuts
    // land milliseconds apart (tens on a loaded machine). So the replication links go first and the
    // app-db and client links once that is done: a write acknowledged before the cut has its WAL at
    // the standby or dropped with the link. Had the app-db link gone first, the writes acknowledged
    // just before it would have had their WAL delivered until the replication link followed,
    // hiding the window that async replication loses (docs/toxiproxy.md, "Bytes in flight").
    try {
      for (const group of cutOrder(links))
        await Promise.all(group.map((l) => proxies.disable(l.proxy, reason)));
    } catch (err) {
      await Promise.allSettled(links.map((l) => proxies.enable(l.proxy, reason)));
      throw err;
    }
    // Once, whoever asks first: a heal that needs the network (see injectRegionOutage), or the heal's end.
    let restored: Promise<unknown> | undefined;
    const restoreLinks = async (): Promise<void> => {
      await (restored ??= Promise.all(links.map((l) => proxies.enable(l.proxy, reason))));
    };
    let healRegion: () => Promise<void>;
    try {
      healRegion = await topology.injectRegionOutage(fault.region, fault.mode, restoreLinks);
    } catch (err) {
      await Promise.allSettled(links.map((l) => proxies.enable(l.proxy, reason)));
      throw err;
    }
    return async () => {
      await healRegion();
      await restoreLinks();
    };
  },
});

/** The region's replication links, then its app-db and client links. */
function cutOrder(links: LinkInfo[]): LinkInfo[][] {
  return [links.filter((l) => l.kind === "replication"), links.filter((l) => l.kind !== "replication")];
}
