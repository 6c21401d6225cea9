// Everything a drill needs installed, gathered from the components it names (its failover manager,
// its DNS provider), and the check the runner makes before starting anything.
import { dnsProviderKind } from "../dns/providers.ts";
import { resolverRequirements } from "../dns/site-resolvers.ts";
import type { Drill } from "../drill/types.ts";
import { faultKind } from "../faults/registry.ts";
import { managerKind } from "../managers/registry.ts";
import { MissingComponentsError, missingRequirements, type Requirement } from "../platform/requirements.ts";

const DOCKER: Requirement = { command: "docker", package: "docker.io", purpose: "the docker platform" };

/**
 * What the drill's components need on this platform (the docker platform has them in its images,
 * except DNS: the provider and resolvers run on the host, beside the clients, on either platform; and
 * hook commands run on the host whatever the platform).
 */
export function drillRequirements(drill: Drill): Requirement[] {
  const faults = drill.faults.flatMap((f) => faultKind(f.type).requirements?.(f) ?? []);
  const dns = [
    ...(dnsProviderKind(drill.dns.server).requirements?.() ?? []),
    ...resolverRequirements(drill.dns.resolver),
  ];
  if (drill.platform === "docker") return [DOCKER, ...dns, ...faults];
  return [...(managerKind(drill.controller.manager).requirements?.(drill) ?? []), ...dns, ...faults];
}

/** Throws MissingComponentsError, naming every missing program and its install command. */
export function assertInstalled(drill: Drill): void {
  const missing = missingRequirements(drillRequirements(drill));
  if (missing.length > 0) throw new MissingComponentsError(drill.name, missing);
}
