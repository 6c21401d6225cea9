// slow-close: closing a connection is held back. Toxiproxy's slow_close toxic.
import { required } from "../drill/schema/fields.ts";
import { wholeMilliseconds } from "../drill/format/units.ts";
import { toxicFaultKind } from "./link.ts";

export const slowClose = toxicFaultKind({
  type: "slow-close",
  toxiproxyType: "slow_close",
  description: "Closing a connection is held back by delay. Toxiproxy's slow_close toxic.",
  fields: {
    delay: required(wholeMilliseconds, 'how long to hold the close back, e.g. "2s"', {
      description: "How long the close is delayed; whole milliseconds.",
    }),
  },
  attributes: ({ delay }) => ({ delay }),
  what: (a, w) => `${w.name("slow-close")} (close delayed ${w.duration(a["delay"] ?? 0)})`,
});
