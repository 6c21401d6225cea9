// slicer: data is cut into small slices sent apart. Toxiproxy's slicer toxic.
import { required, withDefault } from "../drill/schema/fields.ts";
import { micros, size } from "../drill/format/units.ts";
import { refine } from "../drill/schema/spec.ts";
import { toxicFaultKind } from "./link.ts";

const averageSize = refine(size, (bytes, field, { reader }) => {
  if (bytes !== 0) return bytes;
  reader.report(field, "must be at least 1 byte");
  return undefined;
});

export const slicer = toxicFaultKind({
  type: "slicer",
  toxiproxyType: "slicer",
  description: "Data is cut into small slices sent apart. Toxiproxy's slicer toxic.",
  fields: {
    averageSize: required(averageSize, 'the average slice size, e.g. "1KB" or 64', {
      description: "Average slice size in bytes; at least 1.",
    }),
    sizeVariation: withDefault(size, 0, {
      description: "Slices vary by up to this many bytes; less than averageSize.",
      check(variation, { field, values, scope }) {
        const average = values["averageSize"] as number | undefined;
        if (field === undefined || average === undefined || variation === undefined) return variation;
        if (variation < average) return variation;
        scope.reader.report(
          field,
          `must be less than averageSize (${average} bytes) so every slice has data, got ${variation}`,
        );
        return undefined;
      },
    }),
    delay: withDefault(micros, 0, { description: "Pause between slices: 500us, 2ms." }),
  },
  attributes: ({ averageSize, sizeVariation, delay }) => ({
    average_size: averageSize,
    size_variation: sizeVariation,
    delay,
  }),
  what(a, w) {
    const slices = w.plusMinus(`${a["average_size"]}`, `${a["size_variation"] ?? 0}`);
    return `${w.name("slicer")} (${slices} bytes slices, ${a["delay"] ?? 0}us apart)`;
  },
});
