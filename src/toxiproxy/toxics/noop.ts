// noop: lets everything through (Toxiproxy registers it; its tests use it to flap the chain).
import type { ToxicKind } from "./kind.ts";
import { PassThroughStage } from "./stage.ts";

export const noop: ToxicKind = {
  type: "noop",
  attributes: [],
  createStage: (_attributes, context) => new PassThroughStage(context),
};
