// Which standby to promote: the one that has received the most of the old primary's changes (WAL),
// so a failover loses as little acknowledged data as possible. Under sync replication that is the
// synchronous standby, which holds every acknowledged commit; under async it is whichever was least
// far behind. Positions are the engine's (LSNs for PostgreSQL), compared only through the engine.
import type { DatabaseEngine, DatabaseNode, ReplicationPositions } from "../../engines/types.ts";

/** What one standby reported (or why it could not), as it goes into the history. */
export interface CandidatePosition {
  region: string;
  /** Reachable and in recovery: it can be promoted. */
  eligible: boolean;
  /**
   * Last WAL position received from the upstream. When the node streamed nothing since it started,
   * its replay position (what it restored from its own pg_wal) stands in.
   */
  receivedLsn: string | null;
  replayedLsn: string | null;
  /** Why it is not eligible: unreachable, not running, not in recovery. */
  reason?: string;
}

export interface CandidateChoice {
  region: string;
  receivedLsn: string;
  replayedLsn: string;
  /** Every standby considered, in the order given, for the history (`candidates: [...]`). */
  candidates: CandidatePosition[];
}

const SURVEY_TIMEOUT_MS = 2000;

/** Asks every node, in parallel, where it stands; an unreachable node is reported, not thrown. */
export async function surveyCandidates(
  nodes: Array<{ name: string; node: DatabaseNode }>,
  engine: Pick<DatabaseEngine, "standbyPosition">,
  timeoutMs = SURVEY_TIMEOUT_MS,
): Promise<CandidatePosition[]> {
  return Promise.all(
    nodes.map(async ({ name, node }): Promise<CandidatePosition> => {
      const ineligible = (reason: string): CandidatePosition => ({
        region: name,
        eligible: false,
        receivedLsn: null,
        replayedLsn: null,
        reason,
      });
      if (!node.running) return ineligible("not running");
      try {
        const p = await engine.standbyPosition(node, timeoutMs);
        if (p.role !== "standby") return ineligible("not in recovery");
        const receivedLsn = p.received ?? p.replayed;
        if (receivedLsn === null || p.replayed === null) return ineligible("no WAL position yet");
        return { region: name, eligible: true, receivedLsn, replayedLsn: p.replayed };
      } catch (err) {
        return ineligible(`unreachable: ${(err as Error).message}`);
      }
    }),
  );
}

/**
 * The eligible standby with the highest received position; ties go to the higher replay position
 * (less to replay before it is writable), then to the earlier one in the given (region) order.
 */
export function pickCandidate(
  candidates: CandidatePosition[],
  positions: ReplicationPositions,
): CandidateChoice | undefined {
  let best: (CandidatePosition & { receivedLsn: string; replayedLsn: string }) | undefined;
  for (const c of candidates) {
    if (!c.eligible || c.receivedLsn === null || c.replayedLsn === null) continue;
    const current = { ...c, receivedLsn: c.receivedLsn, replayedLsn: c.replayedLsn };
    if (best === undefined) {
      best = current;
      continue;
    }
    const byReceived = positions.compare(current.receivedLsn, best.receivedLsn);
    if (byReceived > 0 || (byReceived === 0 && positions.compare(current.replayedLsn, best.replayedLsn) > 0))
      best = current;
  }
  if (best === undefined) return undefined;
  return { region: best.region, receivedLsn: best.receivedLsn, replayedLsn: best.replayedLsn, candidates };
}

/** Surveys the standbys and picks the most advanced reachable one; undefined when none qualifies. */
export async function chooseCandidate(
  nodes: Array<{ name: string; node: DatabaseNode }>,
  engine: Pick<DatabaseEngine, "standbyPosition" | "positions">,
): Promise<CandidateChoice | undefined> {
  return pickCandidate(await surveyCandidates(nodes, engine), engine.positions);
}
