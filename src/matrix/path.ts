// Drill field paths as a matrix names them (`database.replication`, `faults[0].at`,
// `objectives["rto.max"]`) and setting a value at one in a parsed drill document.
import { isAlias, isMap, isScalar, isSeq, type Document } from "yaml";
import { fieldPath, indexPath } from "../drill/problems.ts";

export type PathSegment = string | number;

/** A parameter path that cannot be read, or that does not lead anywhere in the base drill. */
export class ParameterPathError extends Error {
  override readonly name = "ParameterPathError";
}

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*/;

/** `a.b[0]["c.d"]` -> ["a", "b", 0, "c.d"]. */
export function parsePath(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let rest = text.trim();
  if (rest === "") throw new ParameterPathError("a field path cannot be empty");
  let expectKey = true;
  while (rest.length > 0) {
    if (rest.startsWith("[")) {
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
      if (index) {
        if (segments.length === 0) throw pathError(text, "a path starts with a field name");
        segments.push(Number(index[1]));
        rest = rest.slice(index[0].length);
      } else if (quoted) {
        segments.push(JSON.parse(`"${quoted[1]}"`) as string);
        rest = rest.slice(quoted[0].length);
      } else {
        throw pathError(text, 'expected [<index>] or ["<key>"]');
      }
      expectKey = false;
      continue;
    }
    if (!expectKey) {
      if (!rest.startsWith(".")) throw pathError(text, `unexpected "${rest[0]}"`);
      rest = rest.slice(1);
      expectKey = true;
      continue;
    }
    const key = KEY.exec(rest);
    if (!key) throw pathError(text, "expected a field name after each dot");
    segments.push(key[0]);
    rest = rest.slice(key[0].length);
    expectKey = false;
  }
  if (expectKey) throw pathError(text, "a path cannot end with a dot");
  return segments;
}

function pathError(text: string, why: string): ParameterPathError {
  return new ParameterPathError(`cannot read the field path ${JSON.stringify(text)}: ${why}`);
}

/** The loader's spelling of a path (`faults[0].at`, `objectives["rto.max"]`), to match its problems. */
export function formatPath(segments: readonly PathSegment[]): string {
  return segments.reduce<string>(
    (acc, s) => (typeof s === "number" ? indexPath(acc, s) : fieldPath(acc, s)),
    "",
  );
}

/**
 * Sets `value` at `segments` in `doc`, creating mappings for missing keys (as a drill file would
 * write them). List items must already exist: an index cannot invent a region or a fault.
 */
export function setPath(doc: Document, segments: readonly PathSegment[], value: unknown): void {
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  let node = resolve(doc.contents);
  for (const [i, segment] of segments.entries()) {
    const here = formatPath(segments.slice(0, i)) || "the drill";
    const last = i === segments.length - 1;
    if (typeof segment === "number") {
      if (!isSeq(node)) throw new ParameterPathError(`${here} is not a list, so [${segment}] names nothing`);
      if (segment >= node.items.length) {
        throw new ParameterPathError(
          `${here} has ${node.items.length} item${node.items.length === 1 ? "" : "s"}, so [${segment}] names nothing`,
        );
      }
      if (last) node.set(segment, doc.createNode(value));
      else node = resolve(node.items[segment]);
      continue;
    }
    if (!isMap(node))
      throw new ParameterPathError(`${here} is not a mapping, so it has no field "${segment}"`);
    if (last) {
      node.set(segment, doc.createNode(value));
      continue;
    }
    let child = resolve(node.get(segment, true));
    if (child === undefined || child === null || (isScalar(child) && child.value === null)) {
      child = doc.createNode({});
      node.set(segment, child);
    }
    node = child;
  }
}
