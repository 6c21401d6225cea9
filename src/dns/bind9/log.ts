// What BIND's log says about updates: each change it applied (with the key that signed the request)
// and each request it refused, with named's own timestamp. For reports and tests that show the
// authoritative change was an RFC 2136 update.

export interface BindUpdateLine {
  /** named's timestamp, as printed (dd-Mon-yyyy hh:mm:ss.mmm, local time). */
  at: string;
  /** The client address#port. */
  client: string;
  /** The TSIG key that signed the request (or, for bad-signature, that it named). */
  key?: string;
  zone: string;
  /**
   * "add", "delete-rrset", "delete-record", "delete-name", "denied" (unsigned or not allowed),
   * "bad-signature" (data: BADSIG, BADKEY, BADTIME; zone empty), or the text BIND wrote.
   */
  action: string;
  /** For changes: the owner name, type and data as BIND printed them. */
  name?: string;
  type?: string;
  data?: string;
}

const PREFIX = /^(\d{2}-\w{3}-\d{4} \d{2}:\d{2}:\d{2}\.\d{3}) client @\S+ ([^\s/]+)(?:\/key ([^:\s]+))?: /;
const CHANGE = /^updating zone '([^/']+)\/IN': (.*)$/;
const DENIED = /^update '([^/']+)\/IN' denied$/;
const BAD_SIGNATURE = /^request has invalid signature: TSIG ([^:\s]+): tsig verify failure \((\w+)\)$/;
const CHANGES: [RegExp, string][] = [
  [/^adding an RR at '([^']+)' (\S+) ?(.*)$/, "add"],
  [/^deleting rrset at '([^']+)' (\S+)$/, "delete-rrset"],
  [/^deleting an RR at '([^']+)' (\S+) ?(.*)$/, "delete-record"],
  [/^deleting all rrsets from name '([^']+)'$/, "delete-name"],
];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** named's timestamp (dd-Mon-yyyy hh:mm:ss.mmm, the machine's local time) as a Date. */
export function bindLogTime(at: string): Date {
  const m = /^(\d{2})-(\w{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(at);
  const month = MONTHS.indexOf(m?.[2] ?? "");
  if (m === null || month < 0) throw new Error(`not a named timestamp: ${at}`);
  const [, day, , year, hours, minutes, seconds, ms] = m.map(Number) as number[];
  return new Date(year!, month, day!, hours!, minutes!, seconds!, ms!);
}

/** Every update line of a named log, in order; other lines are skipped. */
export function bindUpdateLines(log: string): BindUpdateLine[] {
  const out: BindUpdateLine[] = [];
  for (const line of log.split("\n")) {
    const prefix = PREFIX.exec(line);
    if (prefix === null) continue;
    const [, at = "", client = "", key] = prefix;
    const rest = line.slice(prefix[0].length);
    const base = { at, client, ...(key === undefined ? {} : { key }) };
    const bad = BAD_SIGNATURE.exec(rest);
    if (bad !== null) {
      out.push({ ...base, key: bad[1] ?? "", zone: "", action: "bad-signature", data: bad[2] ?? "" });
      continue;
    }
    const denied = DENIED.exec(rest);
    if (denied !== null) {
      out.push({ ...base, zone: denied[1] ?? "", action: "denied" });
      continue;
    }
    const change = CHANGE.exec(rest);
    if (change === null) continue;
    const [, zone = "", what = ""] = change;
    const known = CHANGES.map(([re, action]) => ({ m: re.exec(what), action })).find((c) => c.m !== null);
    if (known?.m == null) {
      out.push({ ...base, zone, action: what });
      continue;
    }
    const [, name, type, data] = known.m;
    out.push({
      ...base,
      zone,
      action: known.action,
      ...(name === undefined ? {} : { name }),
      ...(type === undefined ? {} : { type }),
      ...(data === undefined || data === "" ? {} : { data }),
    });
  }
  return out;
}
