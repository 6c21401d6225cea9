// Finds the import circles in a module graph. Pure: a graph in, the circles out.
import type { ImportGraph } from "./import-graph.ts";

/** Enough to act on; a tangle with more circles than this is reported as truncated. */
export const MAX_CYCLES = 50;

export interface CycleReport {
  /** Each circle as the modules along it, the first repeated at the end: [a, b, a]. */
  cycles: string[][];
  truncated: boolean;
}

/** Strongly connected components (Tarjan); only they can hold circles. */
function components(graph: ImportGraph): string[][] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    order.set(node, order.size);
    low.set(node, order.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, order.get(next)!));
      }
    }
    if (low.get(node) !== order.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    found.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!order.has(node)) visit(node);
  return found;
}

/**
 * Every elementary circle, each listed once: starting from its alphabetically first module, found
 * by walking only through modules that sort after that one.
 */
export function findImportCycles(graph: ImportGraph, max = MAX_CYCLES): CycleReport {
  const cycles: string[][] = [];
  let truncated = false;
  for (const component of components(graph)) {
    const members = new Set(component);
    for (const start of component) {
      const walk = (node: string, path: string[]): void => {
        for (const next of [...(graph.get(node) ?? [])].sort()) {
          if (truncated || !members.has(next) || next < start) continue;
          if (next === start) {
            if (cycles.length === max) truncated = true;
            else cycles.push([...path, start]);
          } else if (!path.includes(next)) {
            walk(next, [...path, next]);
          }
        }
      };
      walk(start, [start]);
    }
  }
  return { cycles, truncated };
}
