// Every failover manager a drill can name in `controller.manager`, one line each. Adding a manager:
// its module (implementing ManagerKind), its name in names.ts, one line here, and its integration test
// (docs/architecture.md). The Record type fails to compile when a name has no manager or vice versa.
import { builtinManager } from "./builtin/index.ts";
import { externalManager } from "./external.ts";
import { hooksManager } from "./hooks/index.ts";
import { patroniManager } from "./patroni/index.ts";
import { pgAutoFailoverManager } from "./pg-auto-failover/index.ts";
import { regionalManager } from "./regional/index.ts";
import type { ManagerName } from "./names.ts";
import type { ManagerKind } from "./types.ts";

const MANAGERS: Record<ManagerName, ManagerKind> = {
  builtin: builtinManager,
  external: externalManager,
  hooks: hooksManager,
  pg_auto_failover: pgAutoFailoverManager,
  patroni: patroniManager,
  regional: regionalManager,
};

export function managerKind(name: ManagerName): ManagerKind {
  const kind = (MANAGERS as Partial<Record<string, ManagerKind>>)[name];
  if (kind === undefined) {
    throw new Error(
      `unknown failover manager ${JSON.stringify(name)} (known: ${Object.keys(MANAGERS).join(", ")})`,
    );
  }
  return kind;
}
