// RFC 2136 dynamic UPDATE messages: the sections of a query reused as zone, prerequisites, updates
// and additional data, with the record class saying what each record means (IN add, ANY delete an
// RRset or a name, NONE delete one record). What `nsupdate` sends and what BIND applies.
import {
  DnsWireError,
  Opcode,
  Rcode,
  RecordClass,
  RecordType,
  aRecord,
  isInZone,
  message,
  type DnsMessage,
  type DnsRecord,
} from "./wire.ts";

/** One change in the update section. */
export type UpdateChange =
  | { op: "add"; record: DnsRecord }
  | { op: "deleteRRset"; name: string; type: number }
  | { op: "deleteName"; name: string }
  | { op: "deleteRecord"; name: string; type: number; data: Uint8Array };

/** One prerequisite (RFC 2136 §2.4). */
export type UpdatePrerequisite =
  | { op: "rrsetExists"; name: string; type: number; data?: Uint8Array }
  | { op: "rrsetAbsent"; name: string; type: number }
  | { op: "nameInUse"; name: string }
  | { op: "nameNotInUse"; name: string };

export interface UpdateRequest {
  id: number;
  zone: string;
  prerequisites: UpdatePrerequisite[];
  changes: UpdateChange[];
}

/** Why an update message is refused before any change is applied, with the rcode to answer. */
export class UpdateRejected extends Error {
  override name = "UpdateRejected";
  constructor(
    readonly rcode: number,
    detail: string,
  ) {
    super(detail);
  }
}

const EMPTY = new Uint8Array(0);
const meta = (name: string, type: number, klass: number, data: Uint8Array = EMPTY): DnsRecord => ({
  name,
  type,
  class: klass,
  ttl: 0,
  data,
});

function changeRecord(change: UpdateChange): DnsRecord {
  switch (change.op) {
    case "add":
      return change.record;
    case "deleteRRset":
      return meta(change.name, change.type, RecordClass.ANY);
    case "deleteName":
      return meta(change.name, RecordType.ANY, RecordClass.ANY);
    case "deleteRecord":
      return meta(change.name, change.type, RecordClass.NONE, change.data);
  }
}

function prerequisiteRecord(p: UpdatePrerequisite): DnsRecord {
  switch (p.op) {
    case "rrsetExists":
      return p.data === undefined
        ? meta(p.name, p.type, RecordClass.ANY)
        : meta(p.name, p.type, RecordClass.IN, p.data);
    case "rrsetAbsent":
      return meta(p.name, p.type, RecordClass.NONE);
    case "nameInUse":
      return meta(p.name, RecordType.ANY, RecordClass.ANY);
    case "nameNotInUse":
      return meta(p.name, RecordType.ANY, RecordClass.NONE);
  }
}

/** The UPDATE message for a request (unsigned; sign it with tsig.ts). */
export function updateMessage(request: UpdateRequest): DnsMessage {
  return message({
    header: { id: request.id, opcode: Opcode.UPDATE },
    questions: [{ name: request.zone, type: RecordType.SOA, class: RecordClass.IN }],
    answers: request.prerequisites.map(prerequisiteRecord),
    authorities: request.changes.map(changeRecord),
  });
}

/** Points `name` at one address: delete its A RRset, then add the record (what nsupdate scripts do). */
export function replaceA(name: string, address: string, ttlSeconds: number): UpdateChange[] {
  return [
    { op: "deleteRRset", name, type: RecordType.A },
    { op: "add", record: aRecord(name, address, ttlSeconds) },
  ];
}

function readPrerequisite(rr: DnsRecord): UpdatePrerequisite {
  if (rr.ttl !== 0) throw new UpdateRejected(Rcode.FORMERR, `prerequisite for ${rr.name} has TTL ${rr.ttl}`);
  const empty = rr.data.length === 0;
  if (rr.class === RecordClass.ANY && empty) {
    return rr.type === RecordType.ANY
      ? { op: "nameInUse", name: rr.name }
      : { op: "rrsetExists", name: rr.name, type: rr.type };
  }
  if (rr.class === RecordClass.NONE && empty) {
    return rr.type === RecordType.ANY
      ? { op: "nameNotInUse", name: rr.name }
      : { op: "rrsetAbsent", name: rr.name, type: rr.type };
  }
  if (rr.class === RecordClass.IN) return { op: "rrsetExists", name: rr.name, type: rr.type, data: rr.data };
  throw new UpdateRejected(Rcode.FORMERR, `prerequisite for ${rr.name} has class ${rr.class}`);
}

function readChange(rr: DnsRecord): UpdateChange {
  if (rr.class === RecordClass.IN) return { op: "add", record: rr };
  if (rr.class === RecordClass.ANY && rr.ttl === 0 && rr.data.length === 0) {
    return rr.type === RecordType.ANY
      ? { op: "deleteName", name: rr.name }
      : { op: "deleteRRset", name: rr.name, type: rr.type };
  }
  if (rr.class === RecordClass.NONE && rr.ttl === 0) {
    return { op: "deleteRecord", name: rr.name, type: rr.type, data: rr.data };
  }
  throw new UpdateRejected(Rcode.FORMERR, `update record for ${rr.name} has class ${rr.class} TTL ${rr.ttl}`);
}

/**
 * Reads an UPDATE message (RFC 2136 §3.1-3.4 checks before anything is applied): one zone of type
 * SOA, every name inside the zone (else NOTZONE), well-formed prerequisites and changes (else
 * FORMERR). The TSIG record, if any, is not part of the request (verify it first with tsig.ts).
 */
export function readUpdate(msg: DnsMessage): UpdateRequest {
  if (msg.header.opcode !== Opcode.UPDATE) throw new DnsWireError(`opcode ${msg.header.opcode} is no UPDATE`);
  const [zone, ...more] = msg.questions;
  if (zone === undefined || more.length > 0 || zone.type !== RecordType.SOA) {
    throw new UpdateRejected(Rcode.FORMERR, "an update names exactly one zone, of type SOA");
  }
  for (const rr of [...msg.answers, ...msg.authorities]) {
    if (!isInZone(rr.name, zone.name)) {
      throw new UpdateRejected(Rcode.NOTZONE, `${rr.name} is outside zone ${zone.name}`);
    }
  }
  return {
    id: msg.header.id,
    zone: zone.name,
    prerequisites: msg.answers.map(readPrerequisite),
    changes: msg.authorities.map(readChange),
  };
}
