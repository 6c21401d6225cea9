// Import circles among our own TypeScript modules. Every relative import counts: value and type-only
// imports, `export ... from`, side-effect imports and dynamic `import()`: a module that needs another
// only for its types still cannot be understood, moved or published without it.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** Module path -> the module paths it imports (only those inside the scanned tree). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The file a relative specifier names: as written, with `.js` for `.ts`, or with an extension added. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, ".ts").replace(/\.mjs$/, ".mts"),
    `${base}.ts`,
    join(base, "index.ts"),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** A module's name in the graph: relative to `cwd` when inside it, else absolute. */
function moduleName(cwd: string, file: string): string {
  const name = relative(cwd, file);
  return name.startsWith("..") ? file : name;
}

/** The relative imports of every source file under `roots`, named by moduleName. */
export function readImportGraph(roots: readonly string[], cwd = process.cwd()): ImportGraph {
  const files = roots.flatMap((root) => sourceFiles(resolve(cwd, root)));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const imported = ts
      .preProcessFile(readFileSync(file, "utf8"), true, true)
      .importedFiles.map((f) => f.fileName)
      .filter((specifier) => specifier.startsWith("."))
      .flatMap((specifier) => resolveSpecifier(file, specifier) ?? []);
    graph.set(
      moduleName(cwd, file),
      [...new Set(imported)].map((f) => moduleName(cwd, f)),
    );
  }
  return graph;
}
