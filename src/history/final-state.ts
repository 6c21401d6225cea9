// final-state.json: what the runner read from every database node after heal + recovery wait, ids
// included, written beside history.jsonl. The history's final-read events carry only counts; with this
// file the lost writes can be recounted from the run directory alone.
import { checkFormatVersion, FormatError, isRecord, parseJson } from "../util/format-version.ts";
import type { FinalRead } from "./types.ts";

/** Bump when a reader of the previous version would misread a new file. */
export const FINAL_STATE_FORMAT_VERSION = 1;

export interface FinalState {
  formatVersion: number;
  /** One entry per database node, in the order the runner read them. */
  nodes: FinalRead[];
}

/**
 * Valid JSON with one node per line: a reader sees every node at a glance, and thousands of ids do
 * not become thousands of lines.
 */
export function renderFinalState(nodes: readonly FinalRead[]): string {
  const lines = nodes.map((n) => `    ${JSON.stringify(n)}`);
  return (
    `{\n  "formatVersion": ${FINAL_STATE_FORMAT_VERSION},\n  "nodes": [\n` +
    (lines.length === 0 ? "" : `${lines.join(",\n")}\n`) +
    "  ]\n}\n"
  );
}

const ROLES: ReadonlySet<unknown> = new Set(["primary", "standby", "unknown"]);

/** The final reads in a final-state.json, or a FormatError naming the file and the field that is wrong. */
export function parseFinalState(text: string, file = "final-state.json"): FinalState {
  const doc = parseJson(text, file);
  if (!isRecord(doc)) throw new FormatError(file, "expected an object {formatVersion, nodes}");
  const formatVersion = checkFormatVersion(doc.formatVersion, FINAL_STATE_FORMAT_VERSION, file);
  if (!Array.isArray(doc.nodes)) throw new FormatError(file, "nodes must be a list of the nodes read");
  const nodes = doc.nodes.map((n: unknown, i) => toFinalRead(n, `nodes[${i}]`, file));
  return { formatVersion, nodes };
}

function toFinalRead(x: unknown, at: string, file: string): FinalRead {
  const wrong = (problem: string): FormatError => new FormatError(file, `${at}${problem}`);
  if (!isRecord(x)) throw wrong(" must be an object {node, reachable, role, ids}");
  if (typeof x.node !== "string" || x.node === "") throw wrong(".node must be a region name");
  if (typeof x.reachable !== "boolean") throw wrong(".reachable must be true or false");
  if (!ROLES.has(x.role))
    throw wrong(`.role must be primary, standby or unknown, got ${JSON.stringify(x.role)}`);
  if (!Array.isArray(x.ids)) throw wrong(".ids must be a list of write ids");
  const bad = x.ids.findIndex((id) => typeof id !== "number" || !Number.isInteger(id));
  if (bad >= 0) throw wrong(`.ids[${bad}] must be a whole number, got ${JSON.stringify(x.ids[bad])}`);
  for (const key of ["walLsn", "error"] as const) {
    if (x[key] !== undefined && typeof x[key] !== "string") throw wrong(`.${key} must be a string`);
  }
  if (x.keyed !== undefined) {
    const k = x.keyed;
    if (!isRecord(k) || !isRecord(k.registers) || !isRecord(k.counters))
      throw wrong(".keyed must be an object {registers, counters, ...}");
  }
  return x as unknown as FinalRead;
}
