// clock-skew: one region's apps stamp time with an offset, as a host whose clock drifted would. The
// reference app stamps every keyed write with its own clock; last-writer-wins compares those stamps,
// so a region running ahead wins conflicts it should lose in real time (POST /admin/clock on the app).
import http from "node:http";
import { required, withDefault } from "../drill/schema/fields.ts";
import { oneOf } from "../drill/schema/scalars.ts";
import { regionRef } from "../drill/format/common.ts";
import { duration } from "../drill/format/units.ts";
import type { NemesisTopology } from "./kind.ts";
import { defineFaultKind, type FaultBase } from "./kind.ts";

export type ClockSkewFault = FaultBase<"clock-skew"> & { region: string; offsetMs: number };

export const clockSkew = defineFaultKind({
  type: "clock-skew",
  description: "One region's apps stamp time with an offset (ahead or behind), as a drifted host clock does.",
  fields: {
    region: required(regionRef, "the region whose clock drifts", {
      description: "The region whose apps drift.",
    }),
    offset: required(duration({ positive: true }), 'how far the clock is off, e.g. "2s"', {
      description: "How far the region's clock is off.",
    }),
    direction: withDefault(oneOf(["ahead", "behind"] as const), "ahead", {
      description: "ahead: stamps are later than real time; behind: earlier.",
    }),
  },
  build: ({ region, offset, direction }, timing): ClockSkewFault => ({
    type: "clock-skew",
    ...timing,
    region,
    offsetMs: direction === "behind" ? -offset : offset,
  }),
  describe: (f, w) =>
    `${w.name(f.type)} of ${f.region} (${w.duration(Math.abs(f.offsetMs))} ${f.offsetMs < 0 ? "behind" : "ahead"})`,
  historyValue: (f) => ({ region: f.region, offsetMs: f.offsetMs }),
  async apply(fault, { topology }) {
    await setClockOffset(topology, fault.region, fault.offsetMs);
    return () => setClockOffset(topology, fault.region, 0);
  },
});

/** Tells the region's app its clock offset, through the region's client endpoint. */
async function setClockOffset(topology: NemesisTopology, region: string, offsetMs: number): Promise<void> {
  const link = topology.layout.links.find((l) => l.kind === "client" && l.to === region);
  if (link === undefined) throw new Error(`clock-skew: no client endpoint for region ${region}`);
  const status = await new Promise<number>((resolve, reject) => {
    const request = http.request(
      {
        host: link.listen.host,
        port: link.listen.port,
        path: `/admin/clock?offsetMs=${offsetMs}`,
        method: "POST",
        timeout: 3000,
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out after 3 s")));
    request.on("error", reject);
    request.end();
  });
  if (status !== 200)
    throw new Error(
      `clock-skew: the app of ${region} answered HTTP ${status} to /admin/clock (not the reference app?)`,
    );
}
