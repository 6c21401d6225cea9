// The top level of a YAML file the drill reader checks (a matrix, a suite): parsed with positions,
// not empty, a mapping, and no field outside `fields` (with a "did you mean"). Every problem is thrown
// at once through the caller's own error class, so each file kind keeps its own error.
import { LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { DrillProblem } from "./problems.ts";
import { syntaxProblem } from "./problems.ts";
import { DrillReader, type Field, type Mapping } from "./reader.ts";
import { closest } from "./suggest.ts";
import { checkYamlAliases, checkYamlText } from "./yaml-guard.ts";

export interface TopLevelSpec {
  /** The known fields, in order. */
  fields: readonly string[];
  /** What the file should be, when its top is not a mapping. */
  expected: string;
  /** The problem of an empty file, e.g. "the suite file is empty; expected name and entries". */
  empty: string;
  /** Appended to an unknown field's problem when no known field is close, e.g. where drill fields go. */
  unknownHint: string;
  fail(problems: DrillProblem[]): Error;
}

export interface TopLevel {
  doc: Document;
  reader: DrillReader;
  top: Mapping;
  /** Where a field is written. */
  pos(field: Field | undefined): ReturnType<DrillReader["positionOf"]> | undefined;
  /** A field's value as plain data. */
  toJs(field: Field): unknown;
}

export function readTopLevel(text: string, file: string, spec: TopLevelSpec): TopLevel {
  const lines = new LineCounter();
  const source = text.replace(/^\uFEFF/, "");
  const bounds = checkYamlText(source, file);
  if (bounds) throw spec.fail([bounds]);
  const doc = parseDocument(source, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  if (doc.errors.length > 0) throw spec.fail(doc.errors.map((error) => syntaxProblem(file, lines, error)));
  const bomb = checkYamlAliases(doc, file);
  if (bomb) throw spec.fail([bomb]);
  const r = new DrillReader(file, doc, lines);
  const pos = (field: Field | undefined) => {
    const offset = field?.node.range?.[0];
    return offset === undefined ? undefined : r.positionOf(offset);
  };
  // checkYamlAliases has bounded what aliases expand to; yaml's own count (100) would refuse less.
  const toJs = (field: Field): unknown => (field.node as Node).toJS(doc, { maxAliasCount: -1 }) as unknown;

  if (doc.contents === null || r.isNull({ node: doc.contents, path: "" })) {
    r.reportAt(undefined, "", spec.empty);
    throw spec.fail(r.problems);
  }
  const top = r.mapping({ node: doc.contents, path: "" }, "", undefined, spec.expected);
  if (top === undefined) throw spec.fail(r.problems);
  for (const key of top.keys()) {
    if (spec.fields.includes(key)) continue;
    const guess = closest(key, spec.fields);
    const hint = guess === undefined ? "" : `did you mean "${guess}"? `;
    const where = guess === undefined ? spec.unknownHint : "";
    const keyField = top.keyField(key);
    if (keyField) {
      r.report(keyField, `unknown field "${key}"; ${hint}expected one of: ${spec.fields.join(", ")}${where}`);
    }
  }
  return { doc, reader: r, top, pos, toJs };
}
