// `failover-drill doctor`: every component a drill can name (failover managers, DNS providers) with
// the programs it runs and whether each is installed, then every drill file with what it lacks and
// the command that installs it. Exit 0 when every listed drill can run here, 4 when one cannot.
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { DnsProviderKind } from "../../dns/provider.ts";
import { DNS_PROVIDERS } from "../../dns/providers.ts";
import { DNS_RESOLVER_NAMES, resolverRequirements } from "../../dns/site-resolvers.ts";
import { DrillValidationError, loadDrill } from "../../drill/load.ts";
import type { Drill } from "../../drill/types.ts";
import { loadMatrix, MatrixValidationError } from "../../matrix/load.ts";
import { MANAGER_NAMES } from "../../managers/names.ts";
import { managerKind } from "../../managers/registry.ts";
import {
  installCommand,
  locate,
  missingRequirements,
  type Requirement,
} from "../../platform/requirements.ts";
import { drillRequirements } from "../../runner/requirements.ts";
import { loadSuite, SuiteValidationError } from "../../suite/load.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";

export interface DoctorArgs {
  files?: string[];
}

const DEFAULT_DIR = "drills";

function describeNeeds(requirements: readonly Requirement[]): string {
  if (requirements.length === 0) return "nothing beyond Node (built in)";
  return requirements
    .map((r) => {
      const found = locate(r);
      return `${r.command} ${found === undefined ? `MISSING (${r.package === undefined ? "no known package" : `package ${r.package}`})` : `ok (${found})`}`;
    })
    .join(", ");
}

/** Drills in a file: one for a drill file, one per cell for a matrix, every entry's for a suite; else null. */
async function drillsIn(file: string): Promise<Drill[] | null> {
  try {
    return [await loadDrill(file)];
  } catch (err) {
    if (!(err instanceof DrillValidationError)) throw err;
  }
  try {
    return (await loadMatrix(file)).cells.map((cell) => cell.drill);
  } catch (err) {
    if (!(err instanceof MatrixValidationError)) throw err;
  }
  try {
    const { entries } = await loadSuite(file);
    return entries.flatMap((e) => (e.kind === "drill" ? [e.drill] : e.plan.cells.map((cell) => cell.drill)));
  } catch (err) {
    if (!(err instanceof SuiteValidationError)) throw err;
    return null;
  }
}

async function defaultFiles(): Promise<string[]> {
  const names = await readdir(DEFAULT_DIR).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith(".yaml") || n.endsWith(".yml"))
    .sort()
    .map((n) => path.join(DEFAULT_DIR, n));
}

export async function handleDoctor(
  args: DoctorArgs,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  io.out("failover managers (controller.manager):");
  for (const name of MANAGER_NAMES) {
    // What hooks need depends on the commands a drill gives them: listed per drill below.
    const needs =
      name === "hooks"
        ? "the programs its hook commands start with (per drill, below)"
        : describeNeeds(managerKind(name).requirements?.() ?? []);
    io.out(`  ${name}: ${needs}`);
  }
  io.out("DNS providers (dns.server):");
  for (const provider of DNS_PROVIDERS as readonly DnsProviderKind[]) {
    io.out(`  ${provider.name}: ${describeNeeds(provider.requirements?.() ?? [])}`);
  }
  io.out("DNS resolvers (dns.resolver):");
  for (const resolver of DNS_RESOLVER_NAMES) {
    io.out(`  ${resolver}: ${describeNeeds(resolverRequirements(resolver))}`);
  }

  const files = args.files !== undefined && args.files.length > 0 ? args.files : await defaultFiles();
  let blocked = false;
  if (files.length > 0) io.out("drills:");
  for (const file of files) {
    const drills = await drillsIn(file);
    if (drills === null) {
      io.out(`  ${file}: not a valid drill or matrix (run failover-drill validate ${file})`);
      continue;
    }
    const missing = missingRequirements(drills.flatMap(drillRequirements));
    if (missing.length === 0) {
      io.out(`  ${file}: ready`);
    } else {
      blocked = true;
      io.out(
        `  ${file}: needs ${missing.map((r) => r.command).join(", ")}; install with: ${installCommand(missing)}`,
      );
    }
  }
  setExit(blocked ? ExitCode.infrastructure : ExitCode.ok);
}
