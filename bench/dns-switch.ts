// One record change seen three ways at once, against the same authoritative server and TTL: through
// a real Unbound, through the in-process model of a shared resolver (src/dns/shared-resolver.ts), and
// by a client that caches what Unbound answers for its TTL (the `ttl` profile behind Unbound). Used by
// `npm run bench:dns` and by test/integration/unbound.test.ts. Not a test file.
import { MonotonicClock } from "../src/clock.ts";
import type { DnsProvider } from "../src/dns/provider.ts";
import { CachingResolver, queryA, type DnsAnswer } from "../src/dns/resolver.ts";
import { SharedResolver } from "../src/dns/shared-resolver.ts";
import { startUnbound } from "../src/dns/unbound/index.ts";
import type { UnboundSettings } from "../src/dns/unbound/config.ts";
import { sleep } from "../src/util/abort.ts";

export const OLD_ADDRESS = "127.0.1.1";
export const NEW_ADDRESS = "127.0.2.1";

export interface SwitchTrial {
  /** The authoritative server (embedded or bind9), serving `name`'s zone. */
  provider: DnsProvider;
  zone: string;
  name: string;
  ttlSeconds: number;
  settings: UnboundSettings;
  /** Between filling the caches and changing the record. */
  changeAfterMs: number;
  /** How often each observer asks; default 25 ms (as clients reconnecting after a failover do). */
  pollMs?: number;
}

export interface SwitchObservation {
  /** From the change (accepted) to the first new answer; null when none came before the deadline. */
  unboundMs: number | null;
  modelMs: number | null;
  ttlClientMs: number | null;
  /** What was left of the TTL at the change: when a resolver that honours it exactly switches. */
  remainingMs: number;
  /** Old answers Unbound gave from an expired entry (serve-expired), and the TTLs they carried. */
  staleAnswers: number;
  staleTtlSeconds: number[];
}

const clamp = (ttl: number, s: UnboundSettings): number =>
  Math.min(Math.max(ttl, s.cacheMinTtlMs / 1000), s.cacheMaxTtlMs / 1000);

/** Runs one trial; the Unbound it starts is stopped on every path. */
export async function observeSwitch(t: SwitchTrial): Promise<SwitchObservation> {
  const clock = new MonotonicClock();
  const pollMs = t.pollMs ?? 25;
  await t.provider.setRecord(t.name, OLD_ADDRESS, t.ttlSeconds * 1000);
  const unbound = await startUnbound({
    name: "unbound-bench",
    host: "127.0.0.1",
    zone: t.zone,
    authority: t.provider.endpoint,
    settings: t.settings,
  });
  const model = new SharedResolver({ server: t.provider.endpoint, clock, name: t.name });
  try {
    const ttlClient = new CachingResolver({ server: unbound.endpoint, clock });
    // Fill every cache at one moment: Unbound's (asked once), the model's, the client's.
    const [authoritative] = await Promise.all([
      queryA(t.provider.endpoint, t.name),
      queryA(unbound.endpoint, t.name),
    ]);
    const filledMs = clock.now() / 1e6;
    model.start(authoritative, 0);
    await ttlClient.resolve(t.name);

    await sleep(t.changeAfterMs);
    await t.provider.setRecord(t.name, NEW_ADDRESS, t.ttlSeconds * 1000);
    const changedMs = clock.now() / 1e6;
    const sinceChange = (): number => Math.round(clock.now() / 1e6 - changedMs);
    // An old answer whose TTL is above what is left of the cached one (by the clock, with a second
    // for Unbound's whole-second countdown) comes from an expired entry: serve-expired.
    const leftSeconds = (): number => clamp(t.ttlSeconds, t.settings) - (clock.now() / 1e6 - filledMs) / 1000;
    const deadlineMs =
      changedMs +
      Math.max(t.ttlSeconds, clamp(t.ttlSeconds, t.settings)) * 1000 +
      (t.settings.serveExpired ? t.settings.serveExpiredReplyTtlMs : 0) +
      3000;

    const seen: { unbound: number | null; model: number | null; ttlClient: number | null } = {
      unbound: null,
      model: null,
      ttlClient: null,
    };
    const stale: number[] = [];
    const note = (who: keyof typeof seen, address: string): void => {
      if (seen[who] === null && address === NEW_ADDRESS) seen[who] = sinceChange();
    };
    while (clock.now() / 1e6 < deadlineMs && Object.values(seen).some((v) => v === null)) {
      const [fromUnbound, fromModel, fromClient] = await Promise.all([
        queryA(unbound.endpoint, t.name, { timeoutMs: 500 }).catch(() => undefined),
        model.resolve(t.name).catch(() => undefined),
        ttlClient.resolve(t.name).catch(() => undefined),
      ]);
      if (fromUnbound !== undefined) {
        note("unbound", fromUnbound.address);
        if (fromUnbound.address === OLD_ADDRESS && fromUnbound.ttlMs / 1000 > leftSeconds() + 1.5) {
          stale.push(fromUnbound.ttlMs / 1000);
        }
      }
      if (fromModel !== undefined) note("model", (fromModel as DnsAnswer).address);
      if (fromClient !== undefined) note("ttlClient", fromClient.address);
      await sleep(pollMs);
    }
    return {
      unboundMs: seen.unbound,
      modelMs: seen.model,
      ttlClientMs: seen.ttlClient,
      remainingMs: Math.round(filledMs + t.ttlSeconds * 1000 - changedMs),
      staleAnswers: stale.length,
      staleTtlSeconds: [...new Set(stale)].sort((a, b) => a - b),
    };
  } finally {
    model.close();
    await unbound.close();
  }
}
