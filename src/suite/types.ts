// A suite: drills and matrices run in order, each with its own overrides, and the one combined result
// (suite.json) that the Markdown, JUnit and console renderings are made from.
import type { NotifyOn } from "../notify/on.ts";
import type { Drill } from "../drill/types.ts";
import type { MatrixPlan, RunFigures, RunStatus, SourcePos } from "../matrix/types.ts";
import type { ObjectiveResult } from "../summary/types.ts";

export type { SourcePos } from "../matrix/types.ts";

/** One override of an entry's `set`: a drill field path (as a matrix parameter names it) and a value. */
export interface Override {
  path: string;
  value: unknown;
  /** Where the key and the value are written in the suite file. */
  keyPos?: SourcePos;
  valuePos?: SourcePos;
}

export type EntryKind = "drill" | "matrix";

/** One entry of a suite file, read and checked on its own (its drill or matrix is not read yet). */
export interface SuiteEntrySpec {
  /** 0-based, as `entries[i]` in problems. */
  index: number;
  kind: EntryKind;
  /** The file as written, and resolved against the suite file's directory. */
  file: string;
  path: string;
  /** The entry's own name, when it gives one: renames the drill (or matrix) it runs. */
  name?: string;
  overrides: Override[];
  /** Matrices only: runs per cell instead of the matrix's own `repeat`. */
  repeat?: number;
  pos?: SourcePos;
  filePos?: SourcePos;
  namePos?: SourcePos;
}

/** A suite file, read and checked on its own. */
export interface SuiteSpec {
  name: string;
  description: string;
  /** The suite file, as given. */
  file: string;
  /** Where reports go unless --out says otherwise (relative to the working directory). */
  out: string;
  /** A webhook told about the outcome (--notify and --notify-on override it). */
  notify?: { url: string; on: NotifyOn };
  entries: SuiteEntrySpec[];
  namePos?: SourcePos;
}

/** An entry whose drill or matrix is valid with its overrides applied: nothing has started yet. */
export type PlannedEntry =
  | (SuiteEntrySpec & { kind: "drill"; name: string; drill: Drill })
  | (SuiteEntrySpec & { kind: "matrix"; name: string; plan: MatrixPlan });

export interface SuitePlan {
  spec: SuiteSpec;
  entries: PlannedEntry[];
}

/** An entry's outcome: a status, or it never ran because the suite was interrupted before it. */
export type EntryStatus = RunStatus | "not-run";

/** One drill run inside the suite: a drill entry's run, or one run of one matrix cell. */
export interface SuiteRun {
  /** `region-outage`, or `sync-vs-async cell 2 (database.replication=sync) run 1`. */
  label: string;
  /** The drill's name (its report directory's parent). */
  drill: string;
  /** Matrices: the cell's directory name and the run's number in it. */
  cell?: string;
  run?: number;
  status: RunStatus;
  /** The run's report directory relative to the suite's directory; null when it wrote none. */
  reportDir: string | null;
  startedAt: string;
  durationMs: number;
  /** Every objective as the run judged it; empty when it produced no summary. */
  objectives: ObjectiveResult[];
  /** Checkers that threw (the summary's "checker X failed: ..." notes): they make a pass inconclusive. */
  failedCheckers: string[];
  figures: RunFigures | null;
  error?: string;
}

export interface SuiteEntryResult {
  /** 1-based, in run order. */
  index: number;
  name: string;
  kind: EntryKind;
  /** The drill or matrix file, as resolved against the suite file. */
  file: string;
  overrides: Record<string, unknown>;
  status: EntryStatus;
  exitCode: number | null;
  startedAt: string | null;
  durationMs: number;
  /** Matrices: their matrix.json / matrix.md directory relative to the suite's directory. */
  matrixDir?: string;
  runsPlanned: number;
  runs: SuiteRun[];
  error?: string;
}

/** suite.json's formatVersion: bump when a reader of the previous version would misread it. */
export const SUITE_FORMAT_VERSION = 1;

/** The whole suite's outcome: plain data, written as suite.json and rendered from it. */
export interface SuiteResult {
  formatVersion: number;
  suite: { name: string; description: string; file: string };
  startedAt: string;
  durationMs: number;
  /** Every entry ran to its end. */
  complete: boolean;
  interrupted: boolean;
  /** Worst over entries: interrupted > error > fail > inconclusive > pass. */
  status: RunStatus;
  exitCode: number;
  /** Objectives over every run: met, missed, inconclusive. */
  objectives: { met: number; missed: number; inconclusive: number };
  entries: SuiteEntryResult[];
}
