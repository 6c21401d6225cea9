// The failover managers a drill can name in `controller.manager`. Apart from the registry so the drill
// format can list them without loading a manager (a manager reads the drill: that would be a circle).
export const MANAGER_NAMES = [
  "builtin",
  "external",
  "hooks",
  "pg_auto_failover",
  "patroni",
  "regional",
] as const;
export type ManagerName = (typeof MANAGER_NAMES)[number];
