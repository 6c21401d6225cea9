// A shared recursive resolver, one per client site, as a region's Unbound or a host's systemd-resolved
// serving many clients: one cache, so everyone behind it gets the same answer and the same expiry.
// Real ones are kept warm by everything else on the site, so the answer is refreshed as soon as it
// expires, not when our clients next ask: a timer refreshes it at each expiry. Clients behind it keep
// no cache of their own (they ask it for every new connection). It expires to the millisecond; a real
// Unbound counts whole seconds and switches 0-1 s later (docs/dns.md, npm run bench:dns -- compare),
// and has prefetch and serve-expired: drills that need those use dns.resolver unbound.
import type { Clock } from "../clock.ts";
import { msToNs } from "../clock.ts";
import { normalizeName } from "./wire.ts";
import {
  nodeLookup,
  queryA,
  type ClientResolver,
  type DnsAnswer,
  type DnsServerAddress,
} from "./resolver.ts";

export interface SharedResolverOptions {
  server: DnsServerAddress;
  clock: Clock;
  /** The one name it keeps warm (the drill's service name); others are passed through uncached. */
  name: string;
  timeoutMs?: number;
  /** Each refresh that brought an answer (for the history). Exceptions are swallowed. */
  onRefresh?: (answer: DnsAnswer) => void;
}

/** After a failed refresh, try again this soon (a real resolver would answer SERVFAIL meanwhile). */
const RETRY_MS = 250;

export class SharedResolver {
  private readonly name: string;
  private held: { address: string; expiresAtNs: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: SharedResolverOptions) {
    this.name = normalizeName(o.name);
  }

  /** Starts with `answer` as received `ageMs` ago; from then on refreshed at every expiry. */
  start(answer: DnsAnswer, ageMs: number): void {
    if (answer.ttlMs <= 0) return; // TTL 0: nothing is cached, every question is passed on
    const remainingMs = Math.max(0, answer.ttlMs - ageMs);
    this.held = { address: answer.address, expiresAtNs: this.o.clock.now() + msToNs(remainingMs) };
    this.schedule(remainingMs);
  }

  /** When the held answer expires, in ns on the clock; undefined while none is held. */
  get expiresAtNs(): number | undefined {
    return this.held?.expiresAtNs;
  }

  async resolve(name: string): Promise<DnsAnswer> {
    const key = normalizeName(name);
    const held = this.held;
    if (key === this.name && held !== undefined && this.o.clock.now() < held.expiresAtNs) {
      const ttlMs = Math.ceil((held.expiresAtNs - this.o.clock.now()) / 1e6);
      return { address: held.address, ttlMs };
    }
    return queryA(this.o.server, key, { timeoutMs: this.o.timeoutMs ?? 500 });
  }

  private schedule(inMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.refresh(), inMs);
    this.timer.unref();
  }

  private async refresh(): Promise<void> {
    try {
      const answer = await queryA(this.o.server, this.name, { timeoutMs: this.o.timeoutMs ?? 500 });
      if (this.closed) return;
      if (answer.ttlMs <= 0) {
        this.held = undefined;
        return;
      }
      this.held = { address: answer.address, expiresAtNs: this.o.clock.now() + msToNs(answer.ttlMs) };
      try {
        this.o.onRefresh?.(answer);
      } catch {
        // An observer's bug must not stop the resolver.
      }
      this.schedule(answer.ttlMs);
    } catch {
      this.held = undefined;
      this.schedule(RETRY_MS);
    }
  }

  /** A client's view of it: every resolve is a question to the shared resolver, reported to `onAnswer`. */
  forClient(onAnswer: (name: string, answer: DnsAnswer) => void): ClientResolver {
    const resolve = async (name: string): Promise<{ address: string; fromCache: boolean }> => {
      const answer = await this.resolve(name);
      try {
        onAnswer(normalizeName(name), answer);
      } catch {
        // An observer's bug must not fail the client's lookup.
      }
      return { address: answer.address, fromCache: false };
    };
    return { resolve, lookup: nodeLookup(resolve) };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}
