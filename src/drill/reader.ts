// Typed reads from a parsed YAML document that record a problem (with line:column and field path)
// instead of throwing, so one pass over a drill file reports everything wrong with it.
import { isAlias, isMap, isScalar, isSeq, YAMLMap, type Document, type LineCounter, type Node } from "yaml";
import { DURATION_EXAMPLE, formatDuration, parseDuration, parseRate, UnitError } from "./duration.ts";
import { MAX_DURATION_MS, MAX_DURATION_REASON } from "./limits.ts";
import { fieldPath, indexPath, type DrillProblem } from "./problems.ts";
import { closest } from "./suggest.ts";

/**
 * What the reader knows about the format's field names, to explain an unknown one: where else a name
 * is a field, and names people reach for that are deliberately not fields.
 */
export interface FieldCatalogue {
  /** The levels (other than `except`) where `field` is a known name, e.g. ["controller.healthCheck"]. */
  levelsHaving(field: string, except: string): string[];
  /** By `level.name`: what holds instead of a field that does not exist. */
  readonly notFields: Readonly<Record<string, string>>;
}

const NO_CATALOGUE: FieldCatalogue = { levelsHaving: () => [], notFields: {} };

/** A value found at a field path; `node` is where problems about it are reported. */
export interface Field {
  node: Node;
  path: string;
}

export class DrillReader {
  readonly problems: DrillProblem[] = [];

  constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    readonly catalogue: FieldCatalogue = NO_CATALOGUE,
  ) {}

  /** Records a problem at an offset in the source, or at the start of the file. */
  reportAt(offset: number | undefined, path: string, message: string): void {
    const at = offset === undefined ? { line: 1, column: 1 } : this.positionOf(offset);
    this.problems.push({ file: this.file, ...at, path, message });
  }

  /** 1-based line and column of an offset in the source. */
  positionOf(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line: Math.max(1, line), column: Math.max(1, col) };
  }

  report(field: Field, message: string): void {
    this.reportAt(field.node.range?.[0], field.path, message);
  }

  /** Follows YAML aliases (`*anchor`) to the node they name. */
  private resolve(node: Node): Node {
    if (!isAlias(node)) return node;
    return node.resolve(this.doc) ?? node;
  }

  private value(field: Field): unknown {
    const node = this.resolve(field.node);
    return isScalar(node) ? node.value : node;
  }

  private wrongType(field: Field, expected: string): undefined {
    this.report(field, `expected ${expected}, got ${describe(this.resolve(field.node))}`);
    return undefined;
  }

  isNull(field: Field): boolean {
    return this.value(field) === null;
  }

  mapping(
    field: Field,
    level: string,
    known: readonly string[] | undefined,
    expected = "a mapping",
  ): Mapping | undefined {
    const node = this.resolve(field.node);
    if (!isMap(node)) return this.wrongType(field, expected);
    return new Mapping(this, node, field.path, level, known);
  }

  sequence(field: Field, expected = "a list"): Field[] | undefined {
    const node = this.resolve(field.node);
    if (!isSeq(node)) return this.wrongType(field, expected);
    return node.items.map((item, i) => ({ node: item as Node, path: indexPath(field.path, i) }));
  }

  string(field: Field, expected = "a string"): string | undefined {
    const value = this.value(field);
    if (typeof value === "string") return value;
    // Unquoted `{{PORT}}` is YAML flow-mapping syntax: say so instead of "got a mapping".
    const template = unquotedTemplate(this.resolve(field.node));
    if (template !== undefined) {
      this.report(
        field,
        `quote text that starts with a template: "{{${template}}}" (unquoted, YAML reads {{ as a mapping)`,
      );
      return undefined;
    }
    return this.wrongType(field, expected);
  }

  /** A string matching `pattern`; `expected` describes it in the problem. */
  pattern(field: Field, pattern: RegExp, expected: string): string | undefined {
    const value = this.string(field);
    if (value === undefined) return undefined;
    if (pattern.test(value)) return value;
    this.report(field, `expected ${expected}, got ${JSON.stringify(value)}`);
    return undefined;
  }

  oneOf<T extends string>(field: Field, allowed: readonly T[]): T | undefined {
    const value = this.value(field);
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    const shown = typeof value === "string" ? JSON.stringify(value) : describe(this.resolve(field.node));
    const guess = typeof value === "string" ? closest(value, allowed) : undefined;
    const hint = guess === undefined ? "" : `; did you mean "${guess}"?`;
    this.report(field, `expected one of: ${allowed.join(", ")}, got ${shown}${hint}`);
    return undefined;
  }

  integer(field: Field, min: number, max = Number.POSITIVE_INFINITY): number | undefined {
    const value = this.value(field);
    if (typeof value !== "number" || !Number.isInteger(value)) return this.wrongType(field, "a whole number");
    if (value < min) {
      this.report(field, `must be at least ${min}, got ${value}`);
      return undefined;
    }
    if (value > max) {
      this.report(field, `must be at most ${max}, got ${value}`);
      return undefined;
    }
    return value;
  }

  /** A probability: a number from 0 to 1. */
  fraction(field: Field): number | undefined {
    const value = this.value(field);
    if (typeof value !== "number" || !Number.isFinite(value)) {
      return this.wrongType(field, "a number from 0 to 1");
    }
    if (value < 0 || value > 1) {
      this.report(field, `must be from 0 to 1, got ${value}`);
      return undefined;
    }
    return value;
  }

  /** A value with a unit (duration, rate, size, bandwidth, microseconds) read by `parse`, which throws UnitError. */
  measure(field: Field, parse: (value: string | number) => number, example: string): number | undefined {
    const value = this.value(field);
    if (typeof value !== "string" && typeof value !== "number") return this.wrongType(field, example);
    try {
      return parse(value);
    } catch (err) {
      if (!(err instanceof UnitError)) throw err;
      this.report(field, err.message);
      return undefined;
    }
  }

  /** Milliseconds. `positive` refuses 0 where a zero duration makes no sense (an interval, a timeout). */
  duration(field: Field, { positive }: { positive: boolean }): number | undefined {
    const ms = this.measure(field, parseDuration, DURATION_EXAMPLE);
    if (ms === undefined) return undefined;
    if (positive && ms === 0) {
      this.report(field, "must be greater than 0");
      return undefined;
    }
    if (ms > MAX_DURATION_MS) {
      this.report(field, `must be at most 24h (${MAX_DURATION_REASON}), got ${formatDuration(ms)}`);
      return undefined;
    }
    return ms;
  }

  /** Per second, greater than 0. */
  rate(field: Field): number | undefined {
    const perSecond = this.measure(field, parseRate, 'a rate like "400/s"');
    if (perSecond === undefined) return undefined;
    if (perSecond <= 0) {
      this.report(field, `must be greater than 0, got ${JSON.stringify(this.value(field))}`);
      return undefined;
    }
    return perSecond;
  }

  /** A scalar of any type as text, for postgresql.conf values (`work_mem: 4MB`, `fsync: off`, `port: 5433`). */
  scalarText(field: Field): string | undefined {
    const value = this.value(field);
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      return String(value);
    return this.wrongType(field, "a string, number or boolean");
  }

  /** true or false (YAML's own booleans; `yes`/`on` are strings in YAML 1.2 and refused). */
  boolean(field: Field): boolean | undefined {
    const text = this.scalarText(field);
    if (text === undefined) return undefined;
    if (isScalar(field.node) && typeof field.node.value === "boolean") return field.node.value;
    this.report(field, `expected true or false, got ${JSON.stringify(text)}`);
    return undefined;
  }
}

/** A YAML mapping whose keys have been checked against the names known at its level. */
export class Mapping {
  private readonly entries = new Map<string, { key: Node; value: Node | null }>();

  constructor(
    private readonly reader: DrillReader,
    readonly node: YAMLMap,
    readonly path: string,
    level: string,
    known: readonly string[] | undefined,
  ) {
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const key = keyNode !== null && isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== "string" && typeof key !== "number") {
        reader.reportAt(keyNode?.range?.[0] ?? node.range?.[0], path, "expected a field name");
        continue;
      }
      const name = String(key);
      if (known !== undefined && !known.includes(name)) {
        const message = unknownField(reader.catalogue, name, level, known);
        reader.reportAt(keyNode?.range?.[0], fieldPath(path, name), message);
        continue;
      }
      this.entries.set(name, { key: keyNode as Node, value: pair.value as Node | null });
    }
  }

  /** Stands in for an omitted section: every field absent, so every default applies. */
  static empty(reader: DrillReader, path: string): Mapping {
    return new Mapping(reader, new YAMLMap(), path, path, []);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The field, or undefined when it is absent or empty (`key:` with no value means "use the default"). */
  get(key: string): Field | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const field = { node: entry.value ?? entry.key, path: fieldPath(this.path, key) };
    return entry.value === null || this.reader.isNull(field) ? undefined : field;
  }

  /** The key itself, for problems about the name rather than the value. */
  keyField(key: string): Field | undefined {
    const entry = this.entries.get(key);
    return entry && { node: entry.key, path: fieldPath(this.path, key) };
  }

  /** The field, or a problem saying it is required and what it should hold. */
  require(key: string, expected: string): Field | undefined {
    const field = this.get(key);
    if (field !== undefined) return field;
    const entry = this.entries.get(key);
    const offset = entry?.key.range?.[0] ?? this.node.range?.[0];
    const message =
      entry === undefined ? `missing required field; expected ${expected}` : `expected ${expected}`;
    this.reader.reportAt(offset, fieldPath(this.path, key), message);
    return undefined;
  }
}

function unknownField(
  catalogue: FieldCatalogue,
  name: string,
  level: string,
  known: readonly string[],
): string {
  const instead = catalogue.notFields[`${level}.${name}`];
  if (instead !== undefined)
    return `unknown field "${name}": ${instead}; expected one of: ${known.join(", ")}`;
  const guess = closest(name, known);
  if (guess !== undefined) return `unknown field "${name}"; did you mean "${guess}"?`;
  // A field of another fault type is most likely meant for that type: name those levels first.
  const all = catalogue.levelsHaving(name, level);
  const family = level.replace(/[[.].*$/, "");
  const near = all.filter((l) => l.replace(/[[.].*$/, "") === family);
  const elsewhere = near.length > 0 ? near : all;
  const belongs =
    elsewhere.length === 0 || elsewhere.length > 3 ? "" : `; "${name}" belongs in ${elsewhere.join(" or ")}`;
  return `unknown field "${name}"${belongs}; expected one of: ${known.join(", ")}`;
}

/** The NAME of an unquoted `{{NAME}}`, which YAML parses as a mapping whose one key is the mapping {NAME: null}. */
function unquotedTemplate(node: Node): string | undefined {
  if (!isMap(node) || node.items.length !== 1) return undefined;
  const [outer] = node.items;
  const inner = outer?.key;
  const nothing = (v: unknown): boolean => v === null || v === undefined || (isScalar(v) && v.value === null);
  if (!isMap(inner) || inner.items.length !== 1 || !nothing(outer?.value)) return undefined;
  const [pair] = inner.items;
  const nameNode = pair?.key;
  if (!isScalar(nameNode) || !nothing(pair?.value)) return undefined;
  return String(nameNode.value);
}

function describe(node: Node): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return "nothing";
    if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
    if (typeof value === "number") return `the number ${value}`;
    if (typeof value === "boolean") return `${value}`;
    return typeof value;
  }
  return "an alias to nothing";
}
