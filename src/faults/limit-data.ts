// limit-data: a connection closes after some bytes have passed (per direction). Toxiproxy's limit_data
// toxic.
import { required } from "../drill/schema/fields.ts";
import { size } from "../drill/format/units.ts";
import { toxicFaultKind } from "./link.ts";

export const limitData = toxicFaultKind({
  type: "limit-data",
  toxiproxyType: "limit_data",
  description: "A connection closes after bytes have passed (per direction). Toxiproxy's limit_data toxic.",
  fields: {
    bytes: required(size, 'the bytes let through before the connection closes, e.g. "64KB"', {
      description: "Bytes let through before the close: 512, 64KB, 1MB.",
    }),
  },
  attributes: ({ bytes }) => ({ bytes }),
  what: (a, w) => `${w.name("limit-data")} (close after ${a["bytes"]} bytes)`,
});
