// TSIG (RFC 8945): an HMAC over a DNS message with a secret both ends share, appended as the last
// record. It is what authorises RFC 2136 updates on BIND, on our embedded server and in most managed
// DNS APIs; `nsupdate -k` and `tsig-keygen` use the same keys.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  DnsWireError,
  RecordClass,
  RecordType,
  canonicalName,
  decodeHeader,
  lastRecord,
  normalizeName,
  readUncompressedName,
} from "./wire.ts";

/** Algorithm names as BIND and nsupdate write them, with the hash and the name on the wire. */
export const TSIG_ALGORITHMS = {
  "hmac-md5": { hash: "md5", wire: "hmac-md5.sig-alg.reg.int" },
  "hmac-sha1": { hash: "sha1", wire: "hmac-sha1" },
  "hmac-sha224": { hash: "sha224", wire: "hmac-sha224" },
  "hmac-sha256": { hash: "sha256", wire: "hmac-sha256" },
  "hmac-sha384": { hash: "sha384", wire: "hmac-sha384" },
  "hmac-sha512": { hash: "sha512", wire: "hmac-sha512" },
} as const;
export type TsigAlgorithm = keyof typeof TSIG_ALGORITHMS;

/** TSIG error field values (RFC 8945 §3). */
export const TsigError = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;

/** How far apart signer and verifier clocks may be (RFC 8945 recommends 300 s; nsupdate sends 300). */
export const DEFAULT_FUDGE_SECONDS = 300;

export interface TsigKey {
  /** The key's name, as in `key "<name>" { ... }`. */
  name: string;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

/** A fresh key with a 256-bit secret, as `tsig-keygen -a hmac-sha256` makes. */
export function generateTsigKey(name: string, algorithm: TsigAlgorithm = "hmac-sha256"): TsigKey {
  return { name, algorithm, secret: randomBytes(32) };
}

/** The TSIG record's fields (RDATA, RFC 8945 §4.2). */
export interface TsigRecord {
  keyName: string;
  /** The algorithm name as on the wire (e.g. hmac-sha256). */
  algorithmName: string;
  /** Seconds since the epoch (48 bits on the wire). */
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
}

export interface SignOptions {
  /** Seconds since the epoch; default now. */
  timeSigned?: number;
  fudge?: number;
  /** For a response: the MAC of the request it answers (it is part of what the response signs). */
  requestMac?: Buffer;
  error?: number;
  otherData?: Buffer;
  /** Send the record with an empty MAC (responses to BADKEY and BADSIG, RFC 8945 §5.3.2). */
  unsigned?: boolean;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function algorithmByWireName(name: string): TsigAlgorithm | undefined {
  const wanted = normalizeName(name);
  return (Object.keys(TSIG_ALGORITHMS) as TsigAlgorithm[]).find((a) => TSIG_ALGORITHMS[a].wire === wanted);
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function u48(value: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(value, 0, 6);
  return b;
}

/** The "TSIG variables" (RFC 8945 §4.3.3): what the MAC covers after the message itself. */
function variables(r: Omit<TsigRecord, "mac" | "originalId">): Buffer {
  return Buffer.concat([
    canonicalName(r.keyName),
    u16(RecordClass.ANY),
    Buffer.alloc(4), // TTL 0
    canonicalName(r.algorithmName),
    u48(r.timeSigned),
    u16(r.fudge),
    u16(r.error),
    u16(r.otherData.length),
    r.otherData,
  ]);
}

function computeMac(
  key: TsigKey,
  message: Buffer,
  r: Omit<TsigRecord, "mac" | "originalId">,
  requestMac?: Buffer,
): Buffer {
  const hmac = createHmac(TSIG_ALGORITHMS[key.algorithm].hash, key.secret);
  if (requestMac !== undefined) hmac.update(Buffer.concat([u16(requestMac.length), requestMac]));
  hmac.update(message);
  hmac.update(variables(r));
  return hmac.digest();
}

/**
 * Signs an encoded message (which must not carry a TSIG record yet): returns the message with the
 * TSIG record appended (ARCOUNT + 1) and the MAC, which the response to it must sign over.
 */
export function signMessage(
  packet: Buffer,
  key: TsigKey,
  opts: SignOptions = {},
): { packet: Buffer; mac: Buffer } {
  const fields = {
    keyName: key.name,
    algorithmName: TSIG_ALGORITHMS[key.algorithm].wire,
    timeSigned: opts.timeSigned ?? nowSeconds(),
    fudge: opts.fudge ?? DEFAULT_FUDGE_SECONDS,
    error: opts.error ?? TsigError.NOERROR,
    otherData: opts.otherData ?? Buffer.alloc(0),
  };
  const mac = opts.unsigned ? Buffer.alloc(0) : computeMac(key, packet, fields, opts.requestMac);
  const rdata = Buffer.concat([
    canonicalName(fields.algorithmName),
    u48(fields.timeSigned),
    u16(fields.fudge),
    u16(mac.length),
    mac,
    u16(packet.readUInt16BE(0)), // original id
    u16(fields.error),
    u16(fields.otherData.length),
    fields.otherData,
  ]);
  const header = Buffer.alloc(10);
  header.writeUInt16BE(RecordType.TSIG, 0);
  header.writeUInt16BE(RecordClass.ANY, 2);
  header.writeUInt32BE(0, 4);
  header.writeUInt16BE(rdata.length, 8);
  // Key and algorithm names are never compressed (RFC 8945 §4.2), so the record is appended as is.
  const signed = Buffer.concat([packet, canonicalName(key.name), header, rdata]);
  signed.writeUInt16BE(signed.readUInt16BE(10) + 1, 10);
  return { packet: signed, mac };
}

/** The TSIG record of a message and where it starts, or undefined when the message is unsigned. */
export function readTsig(packet: Buffer): { record: TsigRecord; offset: number } | undefined {
  if (decodeHeader(packet).counts[3] === 0) return undefined; // TSIG is always an additional record
  const last = lastRecord(packet);
  if (last === undefined || last.record.type !== RecordType.TSIG) return undefined;
  const { offset } = last;
  const rdata = Buffer.from(last.record.data);
  const algorithm = readUncompressedName(rdata, 0);
  let at = algorithm.end;
  const need = (n: number): void => {
    if (at + n > rdata.length) throw new DnsWireError("truncated TSIG record");
  };
  need(10);
  const timeSigned = rdata.readUIntBE(at, 6);
  const fudge = rdata.readUInt16BE(at + 6);
  const macSize = rdata.readUInt16BE(at + 8);
  at += 10;
  need(macSize + 6);
  const mac = Buffer.from(rdata.subarray(at, at + macSize));
  at += macSize;
  const originalId = rdata.readUInt16BE(at);
  const error = rdata.readUInt16BE(at + 2);
  const otherLength = rdata.readUInt16BE(at + 4);
  at += 6;
  need(otherLength);
  const otherData = Buffer.from(rdata.subarray(at, at + otherLength));
  return {
    offset,
    record: {
      keyName: last.record.name,
      algorithmName: algorithm.name,
      timeSigned,
      fudge,
      mac,
      originalId,
      error,
      otherData,
    },
  };
}

export type TsigVerification =
  | { status: "unsigned" }
  | { status: "ok"; key: TsigKey; record: TsigRecord }
  /** `error` is the TSIG error to answer with; `key` is known unless error is BADKEY. */
  | { status: "bad"; error: number; record: TsigRecord; key?: TsigKey };

export interface VerifyOptions {
  /** Seconds since the epoch; default now. */
  now?: number;
  /** When verifying a response: the MAC of the request it answers. */
  requestMac?: Buffer;
}

/**
 * Checks a message's TSIG record against the keys it may be signed with (RFC 8945 §5.2): an unknown
 * key or algorithm is BADKEY, a MAC that does not match (or is truncated: we never accept truncated
 * MACs) is BADSIG, a time outside the fudge is BADTIME. Throws DnsWireError for a malformed message.
 */
export function verifyMessage(
  packet: Buffer,
  keys: readonly TsigKey[],
  opts: VerifyOptions = {},
): TsigVerification {
  const found = readTsig(packet);
  if (found === undefined) return { status: "unsigned" };
  const { record, offset } = found;
  const algorithm = algorithmByWireName(record.algorithmName);
  const key = keys.find(
    (k) => normalizeName(k.name) === normalizeName(record.keyName) && k.algorithm === algorithm,
  );
  if (key === undefined) return { status: "bad", error: TsigError.BADKEY, record };
  // The MAC covers the message as it was before signing: without the TSIG record, its original id.
  const unsigned = Buffer.from(packet.subarray(0, offset));
  unsigned.writeUInt16BE(record.originalId, 0);
  unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
  const expected = computeMac(key, unsigned, record, opts.requestMac);
  if (record.mac.length !== expected.length || !timingSafeEqual(record.mac, expected)) {
    return { status: "bad", error: TsigError.BADSIG, record, key };
  }
  const now = opts.now ?? nowSeconds();
  if (Math.abs(now - record.timeSigned) > record.fudge) {
    return { status: "bad", error: TsigError.BADTIME, record, key };
  }
  return { status: "ok", key, record };
}

/** The name of a TSIG error for messages ("BADSIG"), or its number. */
export function tsigErrorName(error: number): string {
  return Object.entries(TsigError).find(([, value]) => value === error)?.[0] ?? String(error);
}
