// The recursive resolvers clients query (dns.resolver): none (clients ask the DNS provider directly,
// each profile modelled in process) or real ones, one per client site (per-region) or one for all
// (shared). Started after the provider, stopped before it.
import type { Requirement } from "../platform/requirements.ts";
import type { DnsEndpoint } from "./provider.ts";
import { UNBOUND_DEFAULTS, type UnboundSettings } from "./unbound/config.ts";
import { startUnbound, UNBOUND } from "./unbound/index.ts";

export const DNS_RESOLVER_NAMES = ["none", "unbound"] as const;
export type DnsResolverName = (typeof DNS_RESOLVER_NAMES)[number];

export const RESOLVER_PLACEMENTS = ["per-region", "shared"] as const;
export type ResolverPlacement = (typeof RESOLVER_PLACEMENTS)[number];

/** A drill's dns resolver fields when it has no real resolvers (their defaults), for drills built in code. */
export const NO_RESOLVER = {
  resolver: "none",
  resolverPlacement: "per-region",
  unbound: UNBOUND_DEFAULTS,
} as const satisfies {
  resolver: DnsResolverName;
  resolverPlacement: ResolverPlacement;
  unbound: UnboundSettings;
};

export const RESOLVER_DESCRIPTIONS: Record<DnsResolverName, string> = {
  none: "clients query the DNS provider directly; resolver profiles are modelled in process",
  unbound: "Unbound, a caching recursive resolver, per region or shared, that clients query",
};

/** Programs a resolver choice runs (checked before a drill starts; listed by `doctor`). */
export function resolverRequirements(name: DnsResolverName): Requirement[] {
  return name === "unbound" ? [UNBOUND] : [];
}

/** The drill's dns fields a resolver's hold time depends on. */
export interface ResolverChoice {
  ttlMs: number;
  resolver: DnsResolverName;
  unbound: UnboundSettings;
}

/**
 * How long after a record change a site's resolver may still hand out the old answer: its cache time
 * (the TTL clamped by cacheMinTtl and cacheMaxTtl) plus the second Unbound's whole-second countdown
 * adds (it serves an entry until the second after its TTL ends). With resolver none: the TTL.
 */
export function resolverHoldMs(dns: ResolverChoice): number {
  if (dns.resolver === "none") return dns.ttlMs;
  const { cacheMinTtlMs, cacheMaxTtlMs } = dns.unbound;
  return Math.min(Math.max(dns.ttlMs, cacheMinTtlMs), cacheMaxTtlMs) + 1000;
}

/**
 * How long a client of a resolver profile may keep using an answer it got before the change. Behind
 * Unbound every profile asks it, so its hold comes first; a TTL cache then keeps a stale answer for
 * serveExpiredReplyTtl; a fixed cache keeps any answer for its fixed time.
 */
export function clientHoldMs(dns: ResolverChoice, profile: string, fixedCacheMs: number): number {
  if (dns.resolver === "none") return profile === "fixed" ? fixedCacheMs : profile === "none" ? 0 : dns.ttlMs;
  const hold = resolverHoldMs(dns);
  if (profile === "fixed") return hold + fixedCacheMs;
  if (profile === "ttl" && dns.unbound.serveExpired) return hold + dns.unbound.serveExpiredReplyTtlMs;
  return hold;
}

export interface SiteResolverOptions {
  resolver: DnsResolverName;
  placement: ResolverPlacement;
  /** The client sites (the drill's regions). */
  sites: readonly string[];
  /** Address the resolvers listen on. */
  host: string;
  /** A directory per resolver is made under it. */
  dir?: string;
  zone: string;
  /** The authoritative server they ask. */
  authority: DnsEndpoint;
  settings: UnboundSettings;
}

export interface SiteResolvers {
  /** Where each site's clients send their questions; empty with resolver none. */
  readonly bySite: ReadonlyMap<string, DnsEndpoint>;
  close(): Promise<void>;
}

export const NO_SITE_RESOLVERS: SiteResolvers = { bySite: new Map(), close: async () => {} };

/** Starts the resolvers (in parallel); if one fails, stops those that started and rethrows. */
export async function startSiteResolvers(o: SiteResolverOptions): Promise<SiteResolvers> {
  if (o.resolver === "none") return NO_SITE_RESOLVERS;
  const names = o.placement === "shared" ? ["shared"] : [...o.sites];
  const started = await Promise.allSettled(
    names.map((name) =>
      startUnbound({
        name: `unbound-${name}`,
        host: o.host,
        ...(o.dir === undefined ? {} : { dir: `${o.dir}/unbound-${name}` }),
        zone: o.zone,
        authority: o.authority,
        settings: o.settings,
      }),
    ),
  );
  const running = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const close = async (): Promise<void> => {
    await Promise.all(running.map((r) => r.close()));
  };
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) {
    await close();
    throw failed.reason;
  }
  const bySite = new Map(
    o.sites.map((site) => [site, running[o.placement === "shared" ? 0 : names.indexOf(site)]!.endpoint]),
  );
  return { bySite, close };
}
