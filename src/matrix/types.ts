// A drill matrix: one base drill run over a grid of parameter values, and the comparison report.
import type { DrillStatus } from "../checkers/types.ts";
import type { Drill } from "../drill/types.ts";
import type { PathSegment } from "./path.ts";

/** A value as written in the matrix file (a YAML scalar, list or mapping). */
export type ParameterValue = unknown;

export interface Parameter {
  /** The path as written, e.g. "database.replication"; also the column name. */
  path: string;
  segments: PathSegment[];
  values: ParameterValue[];
}

/** A matrix file, read and checked on its own (the base drill is not read yet). */
export interface MatrixSpec {
  name: string;
  description: string;
  /** The matrix file, as given. */
  file: string;
  /** The base drill file as written in the matrix, and resolved against the matrix file's directory. */
  base: string;
  basePath: string;
  repeat: number;
  parameters: Parameter[];
  /** Partial assignments: a grid cell matching every pair of one is skipped. */
  exclude: Array<Record<string, ParameterValue>>;
  /** Extra cells run after the grid; paths they leave out keep the base drill's value. */
  include: Array<Record<string, ParameterValue>>;
  /** Where things are in the matrix file, so a cell's problem points at the value that caused it. */
  positions: {
    base?: SourcePos;
    /** Per parameter path: its key, and each of its values. */
    keys: Record<string, SourcePos | undefined>;
    values: Record<string, Array<SourcePos | undefined>>;
    include: Array<SourcePos | undefined>;
  };
}

export interface SourcePos {
  line: number;
  column: number;
}

/** One combination of parameter values. */
export interface CellSpec {
  /** 1-based, in run order. */
  index: number;
  /** Directory name: `<index>-<short name>-<value>...`, unique within the matrix. */
  slug: string;
  /** Every override applied to the base drill, fixed ones included, by path. */
  assignments: Record<string, ParameterValue>;
  /** For a cell added by `include`: its index in that list. */
  include?: number;
}

export interface PlannedCell extends CellSpec {
  drill: Drill;
}

/** A matrix whose every cell is a valid drill: nothing has started yet. */
export interface MatrixPlan {
  spec: MatrixSpec;
  baseDrill: Drill;
  /** Paths shown as columns: parameters with more than one value, then paths only includes set. */
  columns: string[];
  /** Parameters with a single value: applied to every grid cell, not shown as a column. */
  fixed: Record<string, ParameterValue>;
  cells: PlannedCell[];
}

/** A run's outcome: a drill status, or it never produced a summary. */
export type RunStatus = DrillStatus | "error" | "interrupted";

/** The figures compared across cells, from one run's summary; null where the run did not measure it. */
export interface RunFigures {
  writeLatencyP50Ms: number | null;
  writeLatencyP99Ms: number | null;
  ackedPerSecond: number | null;
  lostWrites: number | null;
  lostWindowMs: number | null;
  rtoP50Ms: number | null;
  rtoP90Ms: number | null;
  rtoMaxMs: number | null;
  /** The upper end of the RTO range the drill's parameters predict for its clients. */
  predictedRtoMaxMs: number | null;
  detectionMs: number | null;
  promotionMs: number | null;
  dnsSwitchClientFirstMs: number | null;
  dnsSwitchClientLastMs: number | null;
  /** Fault -> last client on the new address: the measured counterpart of predictedDnsFailoverMs. */
  dnsFailoverMs: number | null;
  predictedDetectionMs: number | null;
  predictedDnsFailoverMs: number | null;
}

export type MetricKey = keyof RunFigures;

export interface RunRecord {
  /** 1-based within the cell. */
  run: number;
  status: RunStatus;
  /** The run's report directory relative to the matrix report directory; null if it wrote none. */
  reportDir: string | null;
  startedAt: string;
  durationMs: number;
  figures: RunFigures | null;
  /** Objectives missed, as "rto.max < 20s". */
  missed: string[];
  error?: string;
}

/** Median, min and max over the runs that measured a figure (`count` of `of` runs). */
export interface Aggregate {
  median: number | null;
  min: number | null;
  max: number | null;
  count: number;
  of: number;
}

export interface CellReport {
  index: number;
  slug: string;
  /** Values of the report's columns; a path this cell does not set is absent (base value). */
  parameters: Record<string, ParameterValue>;
  assignments: Record<string, ParameterValue>;
  runsPlanned: number;
  /** Every planned run finished (none skipped or interrupted). */
  complete: boolean;
  runs: RunRecord[];
  metrics: Record<MetricKey, Aggregate>;
}

export type MatrixStatus = DrillStatus | "error" | "interrupted";

export interface MatrixReport {
  matrix: {
    name: string;
    description: string;
    file: string;
    base: string;
    baseDrill: string;
    repeat: number;
    parameters: Record<string, ParameterValue[]>;
    exclude: Array<Record<string, ParameterValue>>;
    include: Array<Record<string, ParameterValue>>;
  };
  startedAt: string;
  durationMs: number;
  /** Every planned run of every cell finished. */
  complete: boolean;
  interrupted: boolean;
  /** Worst over runs: interrupted > error > fail > inconclusive > pass. */
  status: MatrixStatus;
  exitCode: number;
  columns: string[];
  fixed: Record<string, ParameterValue>;
  runsPlanned: number;
  runsDone: number;
  cells: CellReport[];
}
