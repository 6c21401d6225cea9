// A run's history analysed straight from history.jsonl: the ops stream through the index builder, so
// neither the runner nor `check` ever holds the history's ops or its text.
import { HistoryIndexBuilder, indexHistory, type HistoryIndex } from "../checkers/history.ts";
import type { Drill } from "../drill/types.ts";
import { forEachHistoryOp, type ReadHistoryFileOptions } from "./read-file.ts";
import type { Op } from "./types.ts";

export async function indexHistoryFile(
  drill: Drill,
  file: string,
  options: ReadHistoryFileOptions = {},
): Promise<HistoryIndex> {
  const builder = new HistoryIndexBuilder(drill);
  let ordered = true;
  await forEachHistoryOp(
    file,
    (op) => {
      if (ordered && op.time < builder.lastNs) ordered = false;
      if (ordered) builder.add(op);
    },
    options,
  );
  if (ordered) return builder.finish();
  // Only a hand-made history goes back in time (a run's clock is monotonic): read whole, then sorted.
  const ops: Op[] = [];
  await forEachHistoryOp(file, (op) => ops.push(op), options);
  return indexHistory(drill, ops);
}
