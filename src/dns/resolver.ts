// Stub resolver for the drill's workload clients: real UDP queries plus a cache that honours the
// TTL the way real client resolvers do, so the measured DNS switch includes TTL expiry.

import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { isIPv4, isIPv6 } from "node:net";
import type { Clock } from "../clock.ts";
import { msToNs } from "../clock.ts";
import { type FairTimeout, fairTimeout } from "../util/fair-timeout.ts";
import {
  DnsWireError,
  Rcode,
  RecordClass,
  RecordType,
  decode,
  decodeHeader,
  decodeIPv4,
  encode,
  message,
  normalizeName,
} from "./wire.ts";

export interface DnsAnswer {
  address: string;
  ttlMs: number;
}

export interface DnsServerAddress {
  host: string;
  port: number;
}

export interface QueryOptions {
  /** Per attempt. Default 1000 ms. */
  timeoutMs?: number;
  /** Sends of the same query before giving up with ETIMEOUT. Default 3. */
  attempts?: number;
  signal?: AbortSignal;
}

/**
 * Codes follow Node's `dns` module: ENOTFOUND (NXDOMAIN or no A answer), ETIMEOUT, EBADRESP (reply
 * that does not match the query or cannot be decoded), ESERVFAIL, EREFUSED, ENOTIMP, EFORMERR (the
 * server's rcode), EBADNAME (name cannot be queried), ECANCELLED (aborted), or a socket error code
 * such as ECONNREFUSED.
 */
export class DnsLookupError extends Error {
  override name = "DnsLookupError";
  constructor(
    readonly code: string,
    readonly hostname: string,
    detail: string,
  ) {
    super(`${code} ${hostname}: ${detail}`);
  }
}

const RCODE_ERRORS: Record<number, string> = {
  [Rcode.FORMERR]: "EFORMERR",
  [Rcode.SERVFAIL]: "ESERVFAIL",
  [Rcode.NXDOMAIN]: "ENOTFOUND",
  [Rcode.NOTIMP]: "ENOTIMP",
  [Rcode.REFUSED]: "EREFUSED",
};

/**
 * What a datagram means for the query with `id` for `name`: undefined when it is not a reply to
 * it (ignored, like a stray or spoofed packet), else the answer or the error to settle with.
 */
function interpretReply(packet: Buffer, id: number, name: string): DnsAnswer | DnsLookupError | undefined {
  let header;
  try {
    header = decodeHeader(packet);
  } catch {
    return undefined;
  }
  if (header.id !== id || !header.qr) return undefined;
  const bad = (detail: string): DnsLookupError => new DnsLookupError("EBADRESP", name, detail);
  let reply;
  try {
    reply = decode(packet);
  } catch (err) {
    if (err instanceof DnsWireError) return bad(`malformed reply: ${err.message}`);
    throw err;
  }
  const question = reply.questions.length === 1 ? reply.questions[0] : undefined;
  if (
    !question ||
    normalizeName(question.name) !== normalizeName(name) ||
    question.type !== RecordType.A ||
    question.class !== RecordClass.IN
  ) {
    return bad("reply is for a different question");
  }
  if (header.rcode !== Rcode.NOERROR) {
    const code = RCODE_ERRORS[header.rcode] ?? "EBADRESP";
    return new DnsLookupError(code, name, `server answered rcode ${header.rcode}`);
  }
  // CNAME chains are not followed: the drill's server only ever answers with A records.
  const record = reply.answers.find(
    (rr) =>
      rr.type === RecordType.A &&
      rr.class === RecordClass.IN &&
      normalizeName(rr.name) === normalizeName(name),
  );
  if (!record) {
    if (header.tc) return bad("truncated reply without an answer (no TCP fallback)");
    return new DnsLookupError("ENOTFOUND", name, "no A record in the answer");
  }
  try {
    return { address: decodeIPv4(record.data), ttlMs: record.ttl * 1000 };
  } catch (err) {
    return bad((err as Error).message);
  }
}

/** One real DNS query over UDP; validates id and question; resends on timeout (`attempts`). */
export function queryA(server: DnsServerAddress, name: string, opts: QueryOptions = {}): Promise<DnsAnswer> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const attempts = Math.max(1, opts.attempts ?? 3);
  const { signal } = opts;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DnsLookupError("ECANCELLED", name, "aborted"));
    let query: Buffer;
    const id = randomInt(0, 0x10000);
    try {
      // Also the name check: encoding throws on a name that cannot go on the wire.
      query = encode(
        message({
          header: { id, rd: true },
          questions: [{ name, type: RecordType.A, class: RecordClass.IN }],
        }),
      );
    } catch (err) {
      return reject(new DnsLookupError("EBADNAME", name, (err as Error).message));
    }

    const socket = createSocket(isIPv6(server.host) ? "udp6" : "udp4");
    let timer: FairTimeout | undefined;
    let sent = 0;
    let settled = false;
    const settle = (outcome: DnsAnswer | DnsLookupError): void => {
      if (settled) return;
      settled = true;
      timer?.clear();
      signal?.removeEventListener("abort", onAbort);
      socket.close();
      if (outcome instanceof DnsLookupError) reject(outcome);
      else resolve(outcome);
    };
    const onAbort = (): void => settle(new DnsLookupError("ECANCELLED", name, "aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });

    const onSocketError = (err: NodeJS.ErrnoException): void =>
      settle(new DnsLookupError(err.code ?? "EBADRESP", name, err.message));
    socket.on("error", onSocketError);
    socket.on("message", (packet) => {
      const outcome = interpretReply(packet, id, name);
      if (outcome) settle(outcome);
    });
    const send = (): void => {
      if (settled) return;
      sent += 1;
      // The same id on every resend, so a late reply to an earlier send still counts.
      socket.send(query, (err) => {
        if (err) onSocketError(err);
      });
      timer = fairTimeout(() => {
        if (sent < attempts) send();
        else settle(new DnsLookupError("ETIMEOUT", name, `no reply after ${attempts} x ${timeoutMs} ms`));
      }, timeoutMs);
    };
    // Connected, so the kernel drops datagrams from anyone but the server.
    socket.connect(server.port, server.host, send);
  });
}

export interface CachingResolverOptions {
  server: DnsServerAddress;
  clock: Clock;
  timeoutMs?: number;
  attempts?: number;
  /** Called once per real query that returned an answer. Exceptions are swallowed. */
  onLookup?: (name: string, answer: DnsAnswer) => void;
  /**
   * How long an answer is kept: "ttl" (default) as the answer says; a number of ms whatever the TTL
   * says (a fixed cache, as the JVM's networkaddress.cache.ttl); 0 = no cache, every resolve queries.
   */
  cacheMs?: "ttl" | number;
}

/** What a client's connections resolve names through, whichever profile stands behind it. */
export interface ClientResolver {
  resolve(name: string): Promise<{ address: string; fromCache: boolean }>;
  /** For Node's net/http (`http.Agent` `lookup` option) and axios. */
  readonly lookup: (hostname: string, options: object, callback: LookupCallback) => void;
}

interface CacheEntry {
  address: string;
  expiresAtNs: number;
}

/** A lookup callback as Node's net/http and axios call it (loosely typed so it fits both). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LookupCallback = (...args: any[]) => void;

export class CachingResolver implements ClientResolver {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<DnsAnswer>>();

  constructor(private readonly opts: CachingResolverOptions) {}

  /** From cache while the TTL of the last answer has not expired, else a real query (then onLookup). */
  async resolve(name: string): Promise<{ address: string; fromCache: boolean }> {
    const key = normalizeName(name);
    const cached = this.cache.get(key);
    if (cached) {
      if (this.opts.clock.now() < cached.expiresAtNs) return { address: cached.address, fromCache: true };
      this.cache.delete(key);
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.query(key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const answer = await pending;
    return { address: answer.address, fromCache: false };
  }

  private async query(key: string): Promise<DnsAnswer> {
    const { server, timeoutMs, attempts, onLookup } = this.opts;
    const answer = await queryA(server, key, { timeoutMs, attempts });
    // The lifetime counts from when the answer arrived, as in real resolvers; 0 is never cached.
    this.store(key, answer.address, this.lifetimeMs(answer.ttlMs), 0);
    try {
      onLookup?.(key, answer);
    } catch {
      // An observer's bug must not fail the client's lookup.
    }
    return answer;
  }

  private lifetimeMs(ttlMs: number): number {
    const cacheMs = this.opts.cacheMs ?? "ttl";
    return cacheMs === "ttl" ? ttlMs : cacheMs;
  }

  private store(key: string, address: string, lifetimeMs: number, ageMs: number): void {
    if (lifetimeMs - ageMs <= 0) return;
    this.cache.set(key, { address, expiresAtNs: this.opts.clock.now() + msToNs(lifetimeMs - ageMs) });
  }

  /**
   * Puts an answer in the cache as if it had been received `ageMs` ago (a client that has been running
   * for a while, not one that starts with an empty cache). Nothing is kept when it would have expired.
   */
  prime(name: string, answer: DnsAnswer, ageMs: number): void {
    this.store(normalizeName(name), answer.address, this.lifetimeMs(answer.ttlMs), ageMs);
  }

  /** For Node's net/http (`http.Agent` `lookup` option) and axios. */
  readonly lookup = nodeLookup((name) => this.resolve(name));
}

/**
 * A lookup for Node's net/http (`http.Agent` `lookup` option) and axios over `resolve`: (hostname,
 * options, callback) with `options.all` true or false. Only IPv4 exists here, so family 6 finds nothing.
 */
export function nodeLookup(
  resolve: (name: string) => Promise<{ address: string }>,
): (hostname: string, options: object, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    const { all, family } = (options ?? {}) as { all?: boolean; family?: number | string };
    const reply = (err: Error | null, address?: string): void => {
      // Outside the promise chain, so an exception in the caller's callback is not swallowed.
      process.nextTick(() => {
        if (err) callback(err);
        else if (all) callback(null, [{ address, family: 4 }]);
        else callback(null, address, 4);
      });
    };
    if (family === 6 || family === "IPv6") {
      return reply(new DnsLookupError("ENOTFOUND", hostname, "only IPv4 (A) records are served"));
    }
    if (isIPv4(hostname)) return reply(null, hostname);
    resolve(hostname).then(
      (result) => reply(null, result.address),
      (err: Error) => reply(err),
    );
  };
}
