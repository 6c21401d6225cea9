// Embedded authoritative DNS server over UDP: serves the drill's service name so that the failover
// controller's record switch reaches clients the way it does in production (through DNS and TTLs).

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
}

interface HeldRecord {
  address: string;
  ttlSeconds: number;
}

export class DnsServer implements AsyncDisposable {
  private readonly records = new Map<string, HeldRecord>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly host: string,
    readonly port: number,
    private readonly onQuery: ((event: DnsQueryEvent) => void) | undefined,
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
    return new DnsServer(socket, host, socket.address().port, opts.onQuery);
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
      const reply = this.respond(packet);
      if (!reply || this.closing) return;
      this.socket.send(encode(reply.message), rinfo.port, rinfo.address);
      if (this.onQuery) {
        try {
          this.onQuery(reply.event);
        } catch {
          // An observer's bug must not stop the server answering.
        }
      }
    } catch {
      // Nothing a client sends may crash the server; an unanswerable packet is dropped.
    }
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
