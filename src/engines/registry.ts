// drill.database.engine -> the engine. Adding an engine: its folder under src/engines/, its name in
// names.ts, one line here (the Record refuses one without the other) and its integration test. Only
// this file imports an engine's folder.
import { postgresEngine } from "./postgres/engine.ts";
import type { EngineName } from "./names.ts";
import type { DatabaseEngine, ReplicationPositions } from "./types.ts";

export type { EngineName } from "./names.ts";

const ENGINES: Record<EngineName, DatabaseEngine> = {
  postgres: postgresEngine,
};

export class UnknownEngineError extends Error {
  override name = "UnknownEngineError";
}

export function engineFor(name: EngineName): DatabaseEngine {
  const engine = (ENGINES as Partial<Record<string, DatabaseEngine>>)[name];
  if (engine === undefined) {
    throw new UnknownEngineError(
      `unknown database engine ${JSON.stringify(name)} (known: ${Object.keys(ENGINES).join(", ")})`,
    );
  }
  return engine;
}

/** How the engine's replication positions compare and measure: for the checkers, which stay pure. */
export function positionsFor(name: EngineName): ReplicationPositions {
  return engineFor(name).positions;
}

/** Every engine a drill can name, e.g. for tests that hold each engine to the same contract. */
export function engineNames(): EngineName[] {
  return Object.keys(ENGINES) as EngineName[];
}
