// Bounds on a YAML file before and after parsing, so a hostile drill, matrix or suite file gets a
// clear exit-2 problem quickly instead of exhausting memory, the stack or the CPU. The largest
// drill in drills/ is under 3 kB and nests about 6 levels; the limits leave two orders of magnitude.
import { open } from "node:fs/promises";
import { isAlias, isMap, isPair, isScalar, isSeq, Lexer, type Document, type Node } from "yaml";
import type { DrillProblem } from "./problems.ts";

/**
 * 256 KiB, ~85 times the largest drill in drills/: the yaml parser spends about 12 s and 400 MB per
 * MiB of a dense flow list (npm run bench:hostile), so a file at the limit still loads in seconds.
 */
export const MAX_YAML_BYTES = 256 * 1024;
/** The yaml composer recurses per level and runs out of stack at a few hundred levels. */
export const MAX_YAML_DEPTH = 64;
/** Aliases (`*name`) in one file; also bounds how deep a chain of aliases can make the reader recurse. */
export const MAX_YAML_ALIASES = 1000;
/** Values after expanding aliases: a "billion laughs" file expands exponentially while staying tiny. */
export const MAX_YAML_VALUES = 100_000;

const KIB = 1024;

/**
 * Reads a file, refusing one over MAX_YAML_BYTES (the message is the reason). Reads at most one byte
 * past the limit, so a device or a pipe that never ends (/dev/zero) is refused too.
 */
export async function readBoundedText(file: string): Promise<string> {
  const handle = await open(file, "r");
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > MAX_YAML_BYTES) throw new Error(tooLarge(info.size));
    const buffer = Buffer.alloc(MAX_YAML_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_YAML_BYTES) throw new Error(tooLarge(undefined));
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** `bytes` unknown: a stream that went past the limit. */
function tooLarge(bytes: number | undefined): string {
  const size = bytes === undefined ? `over ${MAX_YAML_BYTES / KIB}` : String(Math.round(bytes / KIB));
  return (
    `the file is ${size} KiB; at most ${MAX_YAML_BYTES / KIB} KiB ` +
    `(drill, matrix and suite files are a few kB; the limit bounds the parser's time and memory)`
  );
}

/**
 * Size and nesting, from the tokens alone (the lexer does not recurse): one problem, or none.
 * Depth counts open flow brackets, block indentation levels and `-`/`?` indicators on a line, so it
 * may over-count a little, never under-count.
 */
export function checkYamlText(text: string, file: string): DrillProblem | undefined {
  if (text.length > MAX_YAML_BYTES) return { file, path: "", message: tooLarge(text.length) };
  const indents: number[] = [];
  let flow = 0;
  let lineStart = true;
  let dashes = 0;
  let line = 1;
  let aliases = 0;
  let pending = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === "\n" || token === "\r\n") {
      line++;
      lineStart = true;
      pending = 0;
      dashes = 0;
      continue;
    }
    if (lineStart && flow === 0) {
      // A line's indentation is its leading spaces; blank and comment-only lines have none.
      if (/^ +$/.test(token)) {
        pending = token.length;
        continue;
      }
      if (
        !token.startsWith("#") &&
        !token.includes("\n") &&
        !token.startsWith("\u0002") &&
        !token.startsWith("\u001f")
      ) {
        lineStart = false;
        while (indents.length > 0 && indents[indents.length - 1]! >= pending) indents.pop();
        indents.push(pending);
      }
    }
    if (token.includes("\n")) line += token.split("\n").length - 1;
    if (token === "[" || token === "{") flow++;
    else if (token === "]" || token === "}") flow = Math.max(0, flow - 1);
    else if (token === "-" || token === "?") dashes++;
    else if (token.startsWith("*") && ++aliases > MAX_YAML_ALIASES) {
      return {
        file,
        line,
        column: 1,
        path: "",
        message: `more than ${MAX_YAML_ALIASES} aliases (*name); a drill uses a handful at most`,
      };
    }
    if (indents.length + dashes + flow > MAX_YAML_DEPTH) {
      return {
        file,
        line,
        column: 1,
        path: "",
        message:
          `nested more than ${MAX_YAML_DEPTH} levels deep; a drill nests about 6 ` +
          `(the limit keeps the YAML parser from running out of stack)`,
      };
    }
  }
  return undefined;
}

/** How many values the document holds once every alias is expanded, stopping past MAX_YAML_VALUES. */
export function checkYamlAliases(doc: Document, file: string): DrillProblem | undefined {
  const sizes = new Map<Node, number>();
  const size = (node: unknown): number => {
    if (node === null || node === undefined || isScalar(node)) return 1;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return target === undefined ? 1 : size(target);
    }
    if (isPair(node)) return size(node.key) + size(node.value);
    if (!isMap(node) && !isSeq(node)) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, Infinity); // an alias inside its own anchor: a cycle, counted as too large
    let total = 1;
    for (const item of node.items as unknown[]) {
      total += size(item);
      if (total > MAX_YAML_VALUES) break;
    }
    sizes.set(node, total);
    return total;
  };
  const total = size(doc.contents);
  if (total <= MAX_YAML_VALUES) return undefined;
  return {
    file,
    path: "",
    message:
      `holds more than ${MAX_YAML_VALUES} values once its aliases (*name) are expanded (as in a ` +
      `"billion laughs" attack); a drill holds a few hundred`,
  };
}
