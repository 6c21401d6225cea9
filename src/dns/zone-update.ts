// Applying an RFC 2136 update to the embedded server's records: one A record per name, as the drill's
// service needs. Prerequisites are all checked before anything changes (RFC 2136 §3.2), then the
// changes are applied in order (§3.4). Unlike BIND, adding an A record to a name that has one replaces
// it instead of making a two-address RRset: delete-then-add scripts (what nsupdate callbacks and
// setRecord send) mean the same on both.
import type { UpdatePrerequisite, UpdateRequest } from "./update.ts";
import { Rcode, RecordClass, RecordType, decodeIPv4, normalizeName } from "./wire.ts";

/** What the embedded server holds for a name. */
export interface HeldARecord {
  address: string;
  ttlSeconds: number;
}

const sameAddress = (held: HeldARecord | undefined, data: Uint8Array): boolean =>
  held !== undefined && data.length === 4 && decodeIPv4(data) === held.address;

function prerequisiteFails(
  records: ReadonlyMap<string, HeldARecord>,
  p: UpdatePrerequisite,
): number | undefined {
  const held = records.get(normalizeName(p.name));
  switch (p.op) {
    case "nameInUse":
      return held === undefined ? Rcode.NXDOMAIN : undefined;
    case "nameNotInUse":
      return held === undefined ? undefined : Rcode.YXDOMAIN;
    case "rrsetAbsent":
      return p.type === RecordType.A && held !== undefined ? Rcode.YXRRSET : undefined;
    case "rrsetExists":
      if (p.type !== RecordType.A || held === undefined) return Rcode.NXRRSET;
      return p.data === undefined || sameAddress(held, p.data) ? undefined : Rcode.NXRRSET;
  }
}

/**
 * Applies `request` to `records` if every prerequisite holds; returns the rcode to answer (NOERROR
 * when applied). Adds of any type but A are REFUSED (the embedded server holds only A records).
 */
export function applyUpdate(records: Map<string, HeldARecord>, request: UpdateRequest): number {
  for (const p of request.prerequisites) {
    const failed = prerequisiteFails(records, p);
    if (failed !== undefined) return failed;
  }
  for (const change of request.changes) {
    if (change.op !== "add") continue;
    const { record } = change;
    if (record.type !== RecordType.A) return Rcode.REFUSED;
    if (record.class !== RecordClass.IN || record.data.length !== 4) return Rcode.FORMERR;
  }
  for (const change of request.changes) {
    switch (change.op) {
      case "add": {
        const address = decodeIPv4(change.record.data);
        records.set(normalizeName(change.record.name), { address, ttlSeconds: change.record.ttl });
        break;
      }
      case "deleteName":
        records.delete(normalizeName(change.name));
        break;
      case "deleteRRset":
        if (change.type === RecordType.A || change.type === RecordType.ANY) {
          records.delete(normalizeName(change.name));
        }
        break;
      case "deleteRecord": {
        const key = normalizeName(change.name);
        if (change.type === RecordType.A && sameAddress(records.get(key), change.data)) records.delete(key);
        break;
      }
    }
  }
  return Rcode.NOERROR;
}
