// DNS message wire format (RFC 1035 §4), just enough for an authoritative A-record server and a
// stub resolver: header, questions, resource records with raw RDATA, A-record helpers, name
// compression (decoded always, emitted when encoding so answers look like a real server's). UPDATE
// (RFC 2136) uses the same layout (update.ts); TSIG signatures are appended to it (tsig.ts).

import { isIPv4 } from "node:net";

export class DnsWireError extends Error {
  override name = "DnsWireError";
}

export const RecordType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  TSIG: 250,
  ANY: 255,
};
/** NONE and ANY carry RFC 2136's delete and prerequisite meanings in UPDATE messages. */
export const RecordClass = { IN: 1, NONE: 254, ANY: 255 };
export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 };
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  // RFC 2136 (UPDATE) and RFC 8945 (TSIG)
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
};

/** The name of an rcode for messages ("NOTAUTH"), or its number. */
export function rcodeName(rcode: number): string {
  return Object.entries(Rcode).find(([, value]) => value === rcode)?.[0] ?? String(rcode);
}

const HEADER_LENGTH = 12;
const MAX_NAME_LENGTH = 255; // wire octets, including length bytes and the root label
const MAX_LABEL_LENGTH = 63;
const MAX_POINTER_OFFSET = 0x3fff;

export interface DnsHeader {
  id: number;
  /** true in responses */
  qr: boolean;
  opcode: number;
  /** authoritative answer */
  aa: boolean;
  /** truncated */
  tc: boolean;
  /** recursion desired */
  rd: boolean;
  /** recursion available */
  ra: boolean;
  rcode: number;
}

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  /** seconds */
  ttl: number;
  /** RDATA as on the wire; names inside it are not decompressed (only A records are interpreted). */
  data: Uint8Array;
}

export interface DnsMessage {
  header: DnsHeader;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

/** A message with defaults for everything not given (a query unless `header.qr` is set). */
export function message(
  parts: Partial<Omit<DnsMessage, "header">> & { header?: Partial<DnsHeader> },
): DnsMessage {
  return {
    header: {
      id: 0,
      qr: false,
      opcode: Opcode.QUERY,
      aa: false,
      tc: false,
      rd: false,
      ra: false,
      rcode: Rcode.NOERROR,
      ...parts.header,
    },
    questions: parts.questions ?? [],
    answers: parts.answers ?? [],
    authorities: parts.authorities ?? [],
    additionals: parts.additionals ?? [],
  };
}

/** Lower-cased, without the trailing dot: the form names are compared in (DNS is case-insensitive). */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

export function aRecord(name: string, address: string, ttlSeconds: number): DnsRecord {
  return { name, type: RecordType.A, class: RecordClass.IN, ttl: ttlSeconds, data: encodeIPv4(address) };
}

function encodeIPv4(address: string): Uint8Array {
  if (!isIPv4(address)) throw new DnsWireError(`not an IPv4 address: ${address}`);
  return Uint8Array.from(address.split(".").map(Number));
}

export function decodeIPv4(data: Uint8Array): string {
  if (data.length !== 4) throw new DnsWireError(`A record RDATA must be 4 octets, got ${data.length}`);
  return Array.from(data).join(".");
}

/** Labels of a presentation-form name; throws if it cannot be put on the wire. */
export function nameLabels(name: string): string[] {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  if (trimmed === "") return [];
  const labels = trimmed.split(".");
  let wireLength = 1;
  for (const label of labels) {
    if (label.length === 0) throw new DnsWireError(`empty label in name "${name}"`);
    if (label.length > MAX_LABEL_LENGTH) throw new DnsWireError(`label longer than 63 octets in "${name}"`);
    // Labels are octets; latin1 maps each to one char, so anything beyond U+00FF cannot be sent.
    // eslint-disable-next-line no-control-regex
    if (!/^[\x00-\xff]*$/.test(label)) throw new DnsWireError(`label is not octets in "${name}"`);
    wireLength += 1 + label.length;
  }
  if (wireLength > MAX_NAME_LENGTH) throw new DnsWireError(`name longer than 255 octets: "${name}"`);
  return labels;
}

/** Whether `name` is `zone` or below it (compared as DNS does, case-insensitively). */
export function isInZone(name: string, zone: string): boolean {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  return z === "" || n === z || n.endsWith(`.${z}`);
}

/** A name in wire form without compression, lower-cased (the canonical form TSIG signs, RFC 8945 §4.3.3). */
export function canonicalName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of nameLabels(name.toLowerCase())) {
    parts.push(Buffer.from([label.length]), Buffer.from(label, "latin1"));
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** Reads an uncompressed wire name at `offset` of `data` (RDATA of types that forbid compression). */
export function readUncompressedName(data: Uint8Array, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let position = offset;
  while (true) {
    if (position >= data.length) throw new DnsWireError(`truncated name at offset ${position}`);
    const length = data[position] as number;
    if (length === 0) return { name: labels.join("."), end: position + 1 };
    if (length > MAX_LABEL_LENGTH)
      throw new DnsWireError(`compressed or invalid label at offset ${position}`);
    if (position + 1 + length > data.length) throw new DnsWireError(`truncated label at offset ${position}`);
    labels.push(Buffer.from(data.subarray(position + 1, position + 1 + length)).toString("latin1"));
    position += 1 + length;
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

class Writer {
  private buffer = Buffer.alloc(512);
  length = 0;
  /** Suffix (normalised) -> offset where it was written, for compression. */
  private readonly names = new Map<string, number>();

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const bigger = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buffer.writeUInt8(value, this.length);
    this.length += 1;
  }

  u16(value: number): void {
    this.reserve(2);
    this.buffer.writeUInt16BE(value, this.length);
    this.length += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32BE(value, this.length);
    this.length += 4;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  name(name: string): void {
    const labels = nameLabels(name);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join(".").toLowerCase();
      const earlier = this.names.get(suffix);
      if (earlier !== undefined) {
        this.u16(0xc000 | earlier);
        return;
      }
      if (this.length <= MAX_POINTER_OFFSET) this.names.set(suffix, this.length);
      const label = labels[i] as string;
      this.u8(label.length);
      this.bytes(Buffer.from(label, "latin1"));
    }
    this.u8(0);
  }

  result(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

function checkUint(value: number, bits: 4 | 16 | 32, what: string): number {
  const max = 2 ** bits - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new DnsWireError(`${what} must be an integer in 0..${max}, got ${value}`);
  }
  return value;
}

function encodeHeaderFlags(header: DnsHeader): number {
  return (
    (header.qr ? 0x8000 : 0) |
    (checkUint(header.opcode, 4, "opcode") << 11) |
    (header.aa ? 0x0400 : 0) |
    (header.tc ? 0x0200 : 0) |
    (header.rd ? 0x0100 : 0) |
    (header.ra ? 0x0080 : 0) |
    checkUint(header.rcode, 4, "rcode")
  );
}

export function encode(msg: DnsMessage): Buffer {
  const w = new Writer();
  w.u16(checkUint(msg.header.id, 16, "id"));
  w.u16(encodeHeaderFlags(msg.header));
  w.u16(checkUint(msg.questions.length, 16, "question count"));
  w.u16(checkUint(msg.answers.length, 16, "answer count"));
  w.u16(checkUint(msg.authorities.length, 16, "authority count"));
  w.u16(checkUint(msg.additionals.length, 16, "additional count"));
  for (const q of msg.questions) {
    w.name(q.name);
    w.u16(checkUint(q.type, 16, "qtype"));
    w.u16(checkUint(q.class, 16, "qclass"));
  }
  for (const rr of [...msg.answers, ...msg.authorities, ...msg.additionals]) {
    w.name(rr.name);
    w.u16(checkUint(rr.type, 16, "type"));
    w.u16(checkUint(rr.class, 16, "class"));
    w.u32(checkUint(rr.ttl, 32, "ttl"));
    w.u16(checkUint(rr.data.length, 16, "rdlength"));
    w.bytes(rr.data);
  }
  return w.result();
}

// ---------------------------------------------------------------------------------------------
// Decoding

class Reader {
  offset = 0;
  constructor(private readonly buffer: Buffer) {}

  private need(n: number, what: string): void {
    if (this.offset + n > this.buffer.length) {
      throw new DnsWireError(`truncated message: ${what} at offset ${this.offset} needs ${n} octets`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buffer.readUInt8(this.offset++);
  }

  u16(what: string): number {
    this.need(2, what);
    const value = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    // A copy, so decoded records do not pin (or alias) the datagram buffer.
    const out = Uint8Array.from(this.buffer.subarray(this.offset, this.offset + n));
    this.offset += n;
    return out;
  }

  /** A possibly compressed name; leaves the offset just after the name's in-place octets. */
  name(): string {
    const labels: string[] = [];
    let position = this.offset;
    let resumeAt: number | undefined;
    let wireLength = 1;
    // Each pointer must go strictly backwards from the lowest offset seen so far, so a chain of
    // pointers ends after at most (message length) jumps and can never loop.
    let lowestStart = position;
    while (true) {
      if (position >= this.buffer.length) {
        throw new DnsWireError(`truncated message: name label at offset ${position}`);
      }
      const length = this.buffer.readUInt8(position);
      const kind = length & 0xc0;
      if (kind === 0xc0) {
        if (position + 2 > this.buffer.length) {
          throw new DnsWireError(`truncated message: compression pointer at offset ${position}`);
        }
        const target = this.buffer.readUInt16BE(position) & 0x3fff;
        if (target >= lowestStart) {
          throw new DnsWireError(`compression pointer at offset ${position} does not point backwards`);
        }
        resumeAt ??= position + 2;
        position = target;
        lowestStart = target;
        continue;
      }
      if (kind !== 0) throw new DnsWireError(`unsupported label type 0x${kind.toString(16)} at ${position}`);
      if (length === 0) {
        position += 1;
        break;
      }
      if (position + 1 + length > this.buffer.length) {
        throw new DnsWireError(`truncated message: label of ${length} octets at offset ${position}`);
      }
      wireLength += 1 + length;
      if (wireLength > MAX_NAME_LENGTH)
        throw new DnsWireError(`name longer than 255 octets at ${this.offset}`);
      labels.push(this.buffer.toString("latin1", position + 1, position + 1 + length));
      position += 1 + length;
    }
    this.offset = resumeAt ?? position;
    return labels.join(".");
  }
}

/** The header alone, if at least 12 octets are present (to answer FORMERR to a malformed query). */
export function decodeHeader(packet: Buffer): DnsHeader & { counts: [number, number, number, number] } {
  if (packet.length < HEADER_LENGTH) {
    throw new DnsWireError(`truncated message: ${packet.length} octets, a header needs ${HEADER_LENGTH}`);
  }
  const flags = packet.readUInt16BE(2);
  return {
    id: packet.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0x0f,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0x0f,
    counts: [packet.readUInt16BE(4), packet.readUInt16BE(6), packet.readUInt16BE(8), packet.readUInt16BE(10)],
  };
}

/**
 * The last resource record of the message (where a TSIG record must be) and the offset it starts at,
 * or undefined when the message has none. Throws DnsWireError if the message is malformed.
 */
export function lastRecord(packet: Buffer): { offset: number; record: DnsRecord } | undefined {
  const { counts } = decodeHeader(packet);
  const [qdcount, ancount, nscount, arcount] = counts;
  const r = new Reader(packet);
  r.offset = HEADER_LENGTH;
  for (let i = 0; i < qdcount; i++) {
    r.name();
    r.u16("qtype");
    r.u16("qclass");
  }
  let last: { offset: number; record: DnsRecord } | undefined;
  for (let i = 0; i < ancount + nscount + arcount; i++) {
    const offset = r.offset;
    const name = r.name();
    const type = r.u16("type");
    const klass = r.u16("class");
    const ttl = r.u32("ttl");
    const data = r.bytes(r.u16("rdlength"), "rdata");
    last = { offset, record: { name, type, class: klass, ttl, data } };
  }
  return last;
}

/** Decodes a whole message; throws DnsWireError if any part is malformed. Trailing octets are ignored. */
export function decode(packet: Buffer): DnsMessage {
  const { counts, ...header } = decodeHeader(packet);
  const [qdcount, ancount, nscount, arcount] = counts;
  const r = new Reader(packet);
  r.offset = HEADER_LENGTH;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qdcount; i++) {
    questions.push({ name: r.name(), type: r.u16("qtype"), class: r.u16("qclass") });
  }
  const records = (count: number): DnsRecord[] => {
    const out: DnsRecord[] = [];
    for (let i = 0; i < count; i++) {
      const name = r.name();
      const type = r.u16("type");
      const klass = r.u16("class");
      const ttl = r.u32("ttl");
      const rdlength = r.u16("rdlength");
      out.push({ name, type, class: klass, ttl, data: r.bytes(rdlength, "rdata") });
    }
    return out;
  };
  const answers = records(ancount);
  const authorities = records(nscount);
  const additionals = records(arcount);
  return { header, questions, answers, authorities, additionals };
}
