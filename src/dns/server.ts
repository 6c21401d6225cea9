// Embedded authoritative DNS server over UDP: serves the drill's service name so that the failover
// controller's record switch reaches clients the way it does in production (through DNS and TTLs).
// Given a zone and TSIG keys it also applies RFC 2136 updates signed with one of them (nsupdate from
// a manager's callback), refusing unsigned ones and answering NOTAUTH to bad signatures, as BIND does.

import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { isIPv4, isIPv6 } from "node:net";
import {
  DnsWireError,
  Opcode,
  Rcode,
  RecordClass,
  RecordType,
  aRecord,
  decode,
  decodeHeader,
  encode,
  message,
  nameLabels,
  normalizeName,
  type DnsHeader,
  type DnsMessage,
  type DnsQuestion,
} from "./wire.ts";
import { signMessage, TsigError, verifyMessage, type TsigKey, type TsigVerification } from "./tsig.ts";
import { readUpdate, UpdateRejected } from "./update.ts";
import { applyUpdate, type HeldARecord } from "./zone-update.ts";

function notify<E>(observer: ((event: E) => void) | undefined, event: E): void {
  try {
    observer?.(event);
  } catch {
    // An observer's bug must not stop the server answering.
  }
}

/**
 * The TSIG on a reply (RFC 8945 §5.3): none to an unsigned request; signed over the request's MAC
 * when it was good, or only its time was off (BADTIME, with our time as other data); else the error
 * with an empty MAC, since a request whose key or MAC is bad gives nothing to sign for.
 */
function signReply(reply: Buffer, verification: TsigVerification): Buffer {
  if (verification.status === "unsigned") return reply;
  const { record } = verification;
  if (verification.status === "ok")
    return signMessage(reply, verification.key, { requestMac: record.mac }).packet;
  if (verification.error === TsigError.BADTIME && verification.key !== undefined) {
    const now = Buffer.alloc(6);
    now.writeUIntBE(Math.floor(Date.now() / 1000), 0, 6);
    return signMessage(reply, verification.key, {
      requestMac: record.mac,
      error: TsigError.BADTIME,
      timeSigned: record.timeSigned,
      otherData: now,
    }).packet;
  }
  const algorithm = verification.key?.algorithm ?? "hmac-sha256";
  const named = { name: record.keyName, algorithm, secret: Buffer.alloc(0) };
  return signMessage(reply, named, {
    error: verification.error,
    unsigned: true,
    timeSigned: record.timeSigned,
  }).packet;
}

/** TTLs above this are clamped (RFC 2181 §8: TTLs are 31-bit). */
const MAX_TTL_SECONDS = 0x7fffffff;

export class DnsServerError extends Error {
  override name = "DnsServerError";
}

/** One answered query, for measuring when the authoritative answer changed. */
export interface DnsQueryEvent {
  name: string;
  type: number;
  rcode: number;
  /** The A address sent, if any. */
  address?: string;
}

export interface DnsServerOptions {
  host?: string;
  port?: number;
  /** Called after each response is sent (not for dropped packets). Exceptions are swallowed. */
  onQuery?: (event: DnsQueryEvent) => void;
  /** Accept RFC 2136 updates for `zone` signed with one of `keys`; without it UPDATE is NOTIMP. */
  updates?: { zone: string; keys: readonly TsigKey[] };
  /** Each update answered (applied when rcode is 0). Exceptions are swallowed. */
  onUpdate?: (event: DnsUpdateEvent) => void;
}

/** One UPDATE answered. */
export interface DnsUpdateEvent {
  zone: string;
  rcode: number;
  /** The key that signed it, when the signature was good. */
  keyName?: string;
}

type HeldRecord = HeldARecord;

export class DnsServer implements AsyncDisposable {
  private readonly records = new Map<string, HeldRecord>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly host: string,
    readonly port: number,
    private readonly opts: DnsServerOptions,
  ) {
    socket.on("message", (packet, rinfo) => this.handle(packet, rinfo));
  }

  static async start(opts: DnsServerOptions = {}): Promise<DnsServer> {
    const host = opts.host ?? "127.0.0.1";
    if (!isIPv4(host) && !isIPv6(host)) throw new DnsServerError(`host must be an IP address, got ${host}`);
    const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    // Send errors (e.g. a client that went away) must never take the drill down.
    socket.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once("error", onError);
      socket.bind(opts.port ?? 0, host, () => {
        socket.off("error", onError);
        resolve();
      });
    });
    return new DnsServer(socket, host, socket.address().port, opts);
  }

  /** Serve `name` as an A record. The TTL goes on the wire in whole seconds, rounded up. */
  setRecord(name: string, address: string, ttlMs: number): void {
    if (!isIPv4(address)) throw new DnsServerError(`address must be IPv4, got ${address}`);
    if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new DnsServerError(`ttlMs must be >= 0, got ${ttlMs}`);
    try {
      nameLabels(name);
    } catch (err) {
      throw new DnsServerError(`invalid name "${name}": ${(err as Error).message}`);
    }
    const ttlSeconds = Math.min(Math.ceil(ttlMs / 1000), MAX_TTL_SECONDS);
    this.records.set(normalizeName(name), { address, ttlSeconds });
  }

  removeRecord(name: string): void {
    this.records.delete(normalizeName(name));
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => this.socket.close(() => resolve()));
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private handle(packet: Buffer, rinfo: RemoteInfo): void {
    try {
      const update = this.opts.updates === undefined ? undefined : this.respondToUpdate(packet);
      if (update !== undefined) {
        if (this.closing) return;
        this.socket.send(update.packet, rinfo.port, rinfo.address);
        notify(this.opts.onUpdate, update.event);
        return;
      }
      const reply = this.respond(packet);
      if (!reply || this.closing) return;
      this.socket.send(encode(reply.message), rinfo.port, rinfo.address);
      notify(this.opts.onQuery, reply.event);
    } catch {
      // Nothing a client sends may crash the server; an unanswerable packet is dropped.
    }
  }

  /**
   * The reply to an UPDATE (undefined for anything else, or a packet too broken to answer): its TSIG
   * checked first (RFC 8945 §5.2), then the request (RFC 2136 §3), then applied. A signed request gets
   * a signed reply; BADKEY and BADSIG replies carry the error with an empty MAC.
   */
  private respondToUpdate(packet: Buffer): { packet: Buffer; event: DnsUpdateEvent } | undefined {
    let msg: DnsMessage;
    try {
      if (decodeHeader(packet).opcode !== Opcode.UPDATE || decodeHeader(packet).qr) return undefined;
      msg = decode(packet);
    } catch {
      return undefined;
    }
    const zone = this.opts.updates!;
    const zoneQuestion = msg.questions.slice(0, 1);
    let rcode: number;
    let verification: TsigVerification;
    let malformed = false;
    try {
      verification = verifyMessage(packet, zone.keys);
    } catch {
      verification = { status: "unsigned" };
      malformed = true;
    }
    if (malformed) rcode = Rcode.FORMERR;
    else if (verification.status === "unsigned") rcode = Rcode.REFUSED;
    else if (verification.status === "bad") rcode = Rcode.NOTAUTH;
    else {
      try {
        const request = readUpdate(msg);
        rcode =
          normalizeName(request.zone) !== normalizeName(zone.zone)
            ? Rcode.NOTAUTH
            : applyUpdate(this.records, request);
      } catch (err) {
        if (!(err instanceof UpdateRejected)) throw err;
        rcode = err.rcode;
      }
    }
    const reply = encode(
      message({
        header: { id: msg.header.id, qr: true, opcode: Opcode.UPDATE, rcode },
        questions: zoneQuestion,
      }),
    );
    const event: DnsUpdateEvent = {
      zone: zoneQuestion[0]?.name ?? "",
      rcode,
      ...(verification.status === "ok" ? { keyName: verification.key.name } : {}),
    };
    return { packet: signReply(reply, verification), event };
  }

  /** The response to send, or undefined to drop the packet. */
  private respond(packet: Buffer): { message: DnsMessage; event: DnsQueryEvent } | undefined {
    let header: DnsHeader;
    try {
      header = decodeHeader(packet);
    } catch {
      return undefined; // not even a header: nothing to address a reply to
    }
    // Never answer a response: that is how two servers end up in a reply loop.
    if (header.qr) return undefined;

    let query: DnsMessage | undefined;
    try {
      query = decode(packet);
    } catch (err) {
      if (!(err instanceof DnsWireError)) throw err;
    }
    const question = query?.questions.length === 1 ? query.questions[0] : undefined;
    const reply = (rcode: number, questions: DnsQuestion[], aa: boolean, answer?: HeldRecord) => ({
      message: message({
        header: { id: header.id, qr: true, opcode: header.opcode, aa, rd: header.rd, rcode },
        questions,
        // The answer repeats the name exactly as asked (case included), as resolvers compare it.
        answers: answer && question ? [aRecord(question.name, answer.address, answer.ttlSeconds)] : [],
      }),
      event: {
        name: question?.name ?? "",
        type: question?.type ?? 0,
        rcode,
        ...(answer ? { address: answer.address } : {}),
      },
    });

    if (header.opcode !== Opcode.QUERY) return reply(Rcode.NOTIMP, question ? [question] : [], false);
    if (!question) return reply(Rcode.FORMERR, [], false);

    const held = this.records.get(normalizeName(question.name));
    if (!held) return reply(Rcode.NXDOMAIN, [question], true);
    const classMatches = question.class === RecordClass.IN || question.class === RecordClass.ANY;
    const typeMatches = question.type === RecordType.A || question.type === RecordType.ANY;
    return reply(Rcode.NOERROR, [question], true, classMatches && typeMatches ? held : undefined);
  }
}
