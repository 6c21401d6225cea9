// Who holds which state: the drill's virtual clients, each with a resolver profile, a connection
// profile and a site (the region whose shared resolver it would use), and how old each cache's answer
// and each pooled connection already is when the workload starts, as in a fleet that has been running
// for a while. Pure and seeded: the same drill and seed give the same population.
import {
  CONNECTION_PROFILES,
  RESOLVER_PROFILES,
  type ConnectionProfile,
  type Mix,
  type ResolverProfile,
} from "./profiles.ts";
import { seededRandom, shuffled, type Random } from "./random.ts";

export interface PopulationSpec {
  clients: number;
  /** Where clients live; each site has one shared resolver. */
  sites: readonly string[];
  resolver: Mix<ResolverProfile>;
  connections: Mix<ConnectionProfile>;
  seed: number;
  /** The answer's TTL (the ttl and shared profiles' cache time). */
  ttlMs: number;
  fixedCacheMs: number;
  maxConnectionAgeMs: number;
}

export interface ClientProfile {
  client: number;
  site: string;
  resolver: ResolverProfile;
  connections: ConnectionProfile;
  /** How long the client's own cache has held its answer at the start (ttl and fixed profiles). */
  cacheAgeMs: number;
  /** How old its pooled connection is at the start (max-age profile). */
  connectionAgeMs: number;
}

export interface SharedResolverProfile {
  site: string;
  /** How long the site's shared resolver has held its answer at the start. */
  cacheAgeMs: number;
}

export interface Population {
  seed: number;
  clients: ClientProfile[];
  sharedResolvers: SharedResolverProfile[];
}

/**
 * How many of `total` get each profile: the shares' floors, then the largest remainders (ties to
 * the profile listed first), so the counts add up to `total` exactly.
 */
export function apportion<P extends string>(total: number, mix: Mix<P>, order: readonly P[]): Map<P, number> {
  const wanted = order.filter((p) => (mix[p] ?? 0) > 0).map((p) => ({ p, exact: (mix[p] ?? 0) * total }));
  const counts = new Map(wanted.map(({ p, exact }) => [p, Math.floor(exact)]));
  let left = total - [...counts.values()].reduce((a, b) => a + b, 0);
  const byRemainder = [...wanted].sort((a, b) => (b.exact % 1) - (a.exact % 1));
  for (const { p } of byRemainder) {
    if (left <= 0) break;
    counts.set(p, (counts.get(p) ?? 0) + 1);
    left--;
  }
  return counts;
}

/** `total` profiles with the mix's counts, in a seeded random order. */
function assign<P extends string>(total: number, mix: Mix<P>, order: readonly P[], random: Random): P[] {
  const list = [...apportion(total, mix, order)].flatMap(([p, n]) => Array<P>(n).fill(p));
  return shuffled(list, random);
}

export function buildPopulation(spec: PopulationSpec): Population {
  const random = seededRandom(spec.seed);
  const resolvers = assign(spec.clients, spec.resolver, RESOLVER_PROFILES, random);
  const connections = assign(spec.clients, spec.connections, CONNECTION_PROFILES, random);
  const cacheTime = (profile: ResolverProfile): number =>
    profile === "ttl" ? spec.ttlMs : profile === "fixed" ? spec.fixedCacheMs : 0;
  const clients = resolvers.map((resolver, client): ClientProfile => {
    const connection = connections[client] as ConnectionProfile;
    // Drawn for every client, used or not, so one profile's share does not shift another's phases.
    const cacheDraw = random();
    const connectionDraw = random();
    return {
      client,
      site: spec.sites[client % spec.sites.length] as string,
      resolver,
      connections: connection,
      cacheAgeMs: Math.floor(cacheDraw * cacheTime(resolver)),
      connectionAgeMs: connection === "max-age" ? Math.floor(connectionDraw * spec.maxConnectionAgeMs) : 0,
    };
  });
  const sharedResolvers = spec.sites.map((site) => ({ site, cacheAgeMs: Math.floor(random() * spec.ttlMs) }));
  return { seed: spec.seed, clients, sharedResolvers };
}
