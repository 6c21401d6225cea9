// PostgreSQL refuses to run as root, so when we are root its processes (and the files they own) belong
// to an unprivileged user: `nobody` unless FAILOVER_DRILL_PG_USER names another.
import { readFileSync } from "node:fs";

export interface UnprivilegedUser {
  uid: number;
  gid: number;
  name: string;
}

export class UnprivilegedUserError extends Error {
  override name = "UnprivilegedUserError";
}

/** Used when /etc/passwd has no `nobody` entry: the conventional overflow uid/gid. */
const NOBODY_FALLBACK: UnprivilegedUser = { uid: 65534, gid: 65534, name: "nobody" };

/** Finds a user by name in /etc/passwd-formatted text. */
export function parsePasswdEntry(passwd: string, name: string): UnprivilegedUser | null {
  for (const line of passwd.split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user !== name || uid === undefined || gid === undefined) continue;
    const parsed = { uid: Number(uid), gid: Number(gid), name };
    if (Number.isInteger(parsed.uid) && Number.isInteger(parsed.gid)) return parsed;
  }
  return null;
}

const resolved = new Map<string, UnprivilegedUser>();

/** The user to run database processes as, or null when we are not root (then run as ourselves). */
export function unprivilegedUser(): UnprivilegedUser | null {
  if (process.getuid?.() !== 0) return null;
  const name = process.env.FAILOVER_DRILL_PG_USER || "nobody";
  const known = resolved.get(name);
  if (known !== undefined) return known;
  let passwd = "";
  try {
    passwd = readFileSync("/etc/passwd", "utf8");
  } catch {
    // No passwd file (minimal container): only the nobody fallback can work.
  }
  const user = parsePasswdEntry(passwd, name) ?? (name === "nobody" ? NOBODY_FALLBACK : null);
  if (user === null) {
    throw new UnprivilegedUserError(
      `FAILOVER_DRILL_PG_USER=${name} is not a user in /etc/passwd; name an existing unprivileged user`,
    );
  }
  if (user.uid === 0) {
    throw new UnprivilegedUserError(
      `FAILOVER_DRILL_PG_USER=${name} has uid 0; PostgreSQL refuses to run as root`,
    );
  }
  resolved.set(name, user);
  return user;
}
