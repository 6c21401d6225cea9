// blackhole: data is swallowed; the connection stays open, or closes `after` a while. Toxiproxy's
// timeout toxic.
import { withDefault } from "../drill/schema/fields.ts";
import { wholeMilliseconds } from "../drill/format/units.ts";
import { toxicFaultKind } from "./link.ts";

export const blackhole = toxicFaultKind({
  type: "blackhole",
  toxiproxyType: "timeout",
  description:
    "Data is swallowed; the connection stays open (or closes after `after`). Toxiproxy's timeout toxic.",
  fields: {
    after: withDefault(wholeMilliseconds, 0, {
      description:
        "Close the connection this long after the fault hits it; 0 = never (stall forever). Whole milliseconds.",
    }),
  },
  attributes: ({ after }) => ({ timeout: after }),
  what(a, w) {
    const after = a["timeout"] ?? 0;
    const close = after === 0 ? "connections stay open" : `connections close after ${w.duration(after)}`;
    return `${w.name("blackhole")} (data swallowed, ${close})`;
  },
});
