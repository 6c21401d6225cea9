// reset-peer: connections are reset (TCP RST) a while after data arrives. Toxiproxy's reset_peer toxic.
import { withDefault } from "../drill/schema/fields.ts";
import { wholeMilliseconds } from "../drill/format/units.ts";
import { toxicFaultKind } from "./link.ts";

export const resetPeer = toxicFaultKind({
  type: "reset-peer",
  toxiproxyType: "reset_peer",
  description: "Connections are reset (TCP RST) after `after`. Toxiproxy's reset_peer toxic.",
  fields: {
    after: withDefault(wholeMilliseconds, 0, { description: "Time before the reset; whole milliseconds." }),
  },
  attributes: ({ after }) => ({ timeout: after }),
  what: (a, w) => `${w.name("reset-peer")} (TCP RST after ${w.duration(a["timeout"] ?? 0)})`,
});
