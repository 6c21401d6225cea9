// The clients' DNS lookups (resolve ops) as columns: a client with no resolver cache resolves on every
// connection, so an hour-long drill records hundreds of thousands of them, and the checkers only ask
// one question of them (dns-switch.ts: each client's first lookup of an address after a moment).

/** Lookups in time order: time, client and address (an index into `addresses`; -1 = none recorded). */
export class ResolveLog {
  private times = new Float64Array(1024);
  private clients = new Int32Array(1024);
  private codes = new Int32Array(1024);
  private readonly addresses: string[] = [];
  private readonly codeOf = new Map<string, number>();
  size = 0;

  add(timeNs: number, client: number, address: string | undefined): void {
    if (this.size === this.times.length) this.grow();
    this.times[this.size] = timeNs;
    this.clients[this.size] = client;
    this.codes[this.size] = address === undefined ? -1 : this.code(address);
    this.size++;
  }

  /** Each client's first lookup at or after `fromNs` that answered `address`: client -> time (ns). */
  firstLookups(fromNs: number, address: string): Map<number, number> {
    const first = new Map<number, number>();
    const code = this.codeOf.get(address);
    if (code === undefined) return first;
    for (let i = 0; i < this.size; i++) {
      const client = this.clients[i]!;
      if (this.codes[i] === code && this.times[i]! >= fromNs && !first.has(client))
        first.set(client, this.times[i]!);
    }
    return first;
  }

  private code(address: string): number {
    let code = this.codeOf.get(address);
    if (code === undefined) {
      code = this.addresses.length;
      this.addresses.push(address);
      this.codeOf.set(address, code);
    }
    return code;
  }

  private grow(): void {
    const grown = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    this.times = grown(this.times, (n) => new Float64Array(n));
    this.clients = grown(this.clients, (n) => new Int32Array(n));
    this.codes = grown(this.codes, (n) => new Int32Array(n));
  }
}
