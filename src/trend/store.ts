// The trend store: reports/<drill>/index.jsonl beside the run directories, one line appended per run.
// Appending is one write to a file opened for append, after a newline if the file does not end with
// one, so a line torn by a killed run stays on its own line and no earlier line is ever rewritten.
import { mkdir, open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Summary } from "../summary/types.ts";
import { FormatError } from "../util/format-version.ts";
import {
  indexEntry,
  parseIndex,
  renderIndexLine,
  type IndexEntry,
  type ParsedIndex,
} from "./index-format.ts";

export const INDEX_FILE = "index.jsonl";

/** A plain run's index: reports/<drill>/index.jsonl, the parent of its run directory. */
export function runIndexFile(reportDir: string): string {
  return path.join(path.dirname(reportDir), INDEX_FILE);
}

/**
 * A matrix cell's index, shared by every run of the matrix (and its repeats):
 * <out>/<matrix>/cells/<slug>/index.jsonl, beside the matrix's timestamped directories.
 */
export function matrixCellIndexFile(out: string, matrixName: string, cellSlug: string): string {
  return path.join(out, matrixName, "cells", cellSlug, INDEX_FILE);
}

/** A run directory as its index names it: relative to the index's directory, with "/". */
export function indexRunPath(indexFile: string, reportDir: string): string {
  return path.relative(path.dirname(indexFile), reportDir).split(path.sep).join("/");
}

/** Appends one entry; creates the file (and its directory) on the first run. */
export async function appendIndexEntry(file: string, entry: IndexEntry): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, "a+");
  try {
    const { size } = await handle.stat();
    let lead = "";
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last.toString() !== "\n") lead = "\n";
    }
    await handle.write(lead + renderIndexLine(entry));
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * Records a finished run in `file`: its directory relative to the index's. Returns a warning instead
 * of throwing: a store that cannot be written must not cost the run its result.
 */
export async function recordRun(file: string, reportDir: string, summary: Summary): Promise<string | null> {
  try {
    await appendIndexEntry(file, indexEntry(summary, indexRunPath(file, reportDir)));
    return null;
  } catch (err) {
    return `could not append the run to the trend store ${file}: ${(err as Error).message}`;
  }
}

/**
 * The index in `dirOrFile` (a directory holding index.jsonl, or the file itself), entries in the
 * order appended. A FormatError names what is missing or malformed.
 */
export async function readIndex(dirOrFile: string): Promise<ParsedIndex & { file: string }> {
  const isDir = await stat(dirOrFile).then(
    (s) => s.isDirectory(),
    () => null,
  );
  if (isDir === null) throw new FormatError(dirOrFile, "no such file or directory");
  const file = isDir ? path.join(dirOrFile, INDEX_FILE) : dirOrFile;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FormatError(
      file,
      code === "ENOENT"
        ? "missing: name a drill's reports directory (reports/<drill>), where every run appends to index.jsonl"
        : (err as Error).message,
    );
  }
  return { file, ...parseIndex(text, file) };
}
