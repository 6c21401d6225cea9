// Faults with their heals. Each fault is injected as a nemesis op pair (invoke, ok) in the history so
// the checkers know when it took effect, and returns a heal that undoes exactly what it did. The
// scheduler guarantees every injected fault is healed once, on every exit path. What each fault kind
// does is its own module's (src/faults/); this records it.
import type { Fault } from "../drill/types.ts";
import { LOG_WORDING, type NemesisTopology } from "../faults/kind.ts";
import { faultKind } from "../faults/registry.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import { Events, Processes } from "../history/types.ts";

export type { NemesisTopology } from "../faults/kind.ts";

export interface NemesisContext {
  topology: NemesisTopology;
  history: HistoryRecorder;
}

export interface InjectedFault {
  fault: Fault;
  index: number;
  description: string;
  /** Undo the fault; safe to call once. */
  heal(): Promise<void>;
}

/** The fault in one line, as the log and the history say it: "region-outage of east (kill)". */
export function describeFault(fault: Fault): string {
  return faultKind(fault.type).describe(fault, LOG_WORDING);
}

export async function injectFault(fault: Fault, index: number, ctx: NemesisContext): Promise<InjectedFault> {
  const { history, topology } = ctx;
  const kind = faultKind(fault.type);
  const description = describeFault(fault);
  const value = { fault: index, type: fault.type, description, ...kind.historyValue?.(fault) };
  history.append(Processes.nemesis, "invoke", Events.faultStart, value);
  let heal: () => Promise<void>;
  try {
    heal = await kind.apply(fault, { topology, index, history });
  } catch (err) {
    history.append(Processes.nemesis, "fail", Events.faultStart, value, (err as Error).message);
    throw err;
  }
  history.append(Processes.nemesis, "ok", Events.faultStart, value);

  let healed = false;
  return {
    fault,
    index,
    description,
    heal: async () => {
      if (healed) return;
      healed = true;
      const healValue = { fault: index, type: fault.type, description };
      history.append(Processes.nemesis, "invoke", Events.faultHeal, healValue);
      try {
        await heal();
        history.append(Processes.nemesis, "ok", Events.faultHeal, healValue);
      } catch (err) {
        history.append(Processes.nemesis, "fail", Events.faultHeal, healValue, (err as Error).message);
        throw err;
      }
    },
  };
}
