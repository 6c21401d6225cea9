// What a drill needs installed beyond Node and npm (a real HA manager, a DNS server, HAProxy), found
// before anything starts: a drill that lacks one stops at once with the exact install command instead
// of failing half-way with a process that would not start. `failover-drill doctor` lists the same.
import { accessSync, constants } from "node:fs";
import path from "node:path";

/** One program a component runs, and the Debian package that ships it when one is known. */
export interface Requirement {
  /** The executable, as found on PATH or in one of `dirs` (e.g. "patroni", "pg_rewind"). */
  command: string;
  /** The Debian package that installs it; none for a program a drill's own hook commands name. */
  package?: string;
  /** Why it is needed, in a few words, e.g. "Patroni's DCS". */
  purpose: string;
  /** Directories searched after PATH (e.g. /usr/lib/postgresql/15/bin, where Debian keeps pg_rewind). */
  dirs?: readonly string[];
  /**
   * Search `dirs` before PATH: a versioned install (PostgreSQL 15's bin) whose programs another
   * version on PATH would shadow.
   */
  dirsFirst?: boolean;
  /**
   * Not a program but a file the component loads (a PostgreSQL extension's library): `command` is its
   * name, found (readable) in `dirs` only, whatever PATH or FAILOVER_DRILL_PATH say.
   */
  file?: boolean;
}

/** Searched after PATH: Debian puts servers in sbin, which a non-root PATH may lack. */
const SYSTEM_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/**
 * Where programs are looked for: FAILOVER_DRILL_PATH when set (a PATH-style list, e.g. for a stack
 * installed under /opt), else PATH, the requirement's own dirs and the system's bin and sbin dirs.
 */
function searchDirs(requirement: Pick<Requirement, "dirs" | "dirsFirst">): string[] {
  const split = (list: string): string[] => list.split(path.delimiter).filter((d) => d !== "");
  const own = process.env.FAILOVER_DRILL_PATH;
  if (own !== undefined) return split(own);
  const dirs = requirement.dirs ?? [];
  const onPath = split(process.env.PATH ?? "");
  return requirement.dirsFirst === true
    ? [...dirs, ...onPath, ...SYSTEM_DIRS]
    : [...onPath, ...dirs, ...SYSTEM_DIRS];
}

/** The absolute path of an executable `command` (or a `file`), or undefined when none is installed. */
export function locate(
  requirement: Pick<Requirement, "command" | "dirs" | "dirsFirst" | "file">,
): string | undefined {
  const dirs = requirement.file === true ? (requirement.dirs ?? []) : searchDirs(requirement);
  for (const dir of dirs) {
    const candidate = path.join(dir, requirement.command);
    try {
      accessSync(candidate, requirement.file === true ? constants.R_OK : constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function missingRequirements(requirements: readonly Requirement[]): Requirement[] {
  const seen = new Set<string>();
  return requirements.filter((r) => {
    if (seen.has(r.command)) return false;
    seen.add(r.command);
    return locate(r) === undefined;
  });
}

/**
 * `apt-get install -y ...` for these requirements, each package once, in the order given; programs of
 * no known package are to be installed by whoever wrote the hook that names them: `install psql`.
 */
export function installCommand(requirements: readonly Requirement[]): string {
  const packages = [...new Set(requirements.flatMap((r) => (r.package === undefined ? [] : [r.package])))];
  const unpackaged = [...new Set(requirements.filter((r) => r.package === undefined).map((r) => r.command))];
  return [
    ...(packages.length === 0 ? [] : [`apt-get install -y ${packages.join(" ")}`]),
    ...(unpackaged.length === 0 ? [] : [`install ${unpackaged.join(", ")}`]),
  ].join("; ");
}

/** A drill needs programs that are not installed; nothing was started. */
export class MissingComponentsError extends Error {
  override name = "MissingComponentsError";
  constructor(
    readonly drillName: string,
    readonly missing: readonly Requirement[],
  ) {
    super(
      `drill ${drillName} needs ${missing.map((r) => `${r.command} (${r.purpose})`).join(", ")}, ` +
        `not installed; install with: ${installCommand(missing)}` +
        (missing.some((r) => r.package !== undefined)
          ? " (or bash scripts/install-stacks.sh for every stack)"
          : ""),
    );
  }
}
