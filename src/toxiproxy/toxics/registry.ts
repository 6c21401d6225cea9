// Every toxic kind the embedded server knows, by Toxiproxy's type name: one line per kind (one file
// each, as Toxiproxy's toxics/*.go). Adding a kind = its file + one line here.
import { bandwidth } from "./bandwidth.ts";
import type { ToxicKind } from "./kind.ts";
import { latency } from "./latency.ts";
import { limitData } from "./limit-data.ts";
import { noop } from "./noop.ts";
import { resetPeer } from "./reset-peer.ts";
import { slicer } from "./slicer.ts";
import { slowClose } from "./slow-close.ts";
import { timeout } from "./timeout.ts";

const KINDS: readonly ToxicKind[] = [
  latency,
  bandwidth,
  slowClose,
  timeout,
  resetPeer,
  slicer,
  limitData,
  noop,
];

const byType = new Map(KINDS.map((kind) => [kind.type, kind]));

export function toxicKind(type: string): ToxicKind | undefined {
  return byType.get(type);
}

export function toxicTypes(): string[] {
  return [...byType.keys()].sort();
}
