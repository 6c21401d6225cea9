// A proxy: a listener, the upstream it forwards to, its toxics and its live connections. Mirrors
// Toxiproxy 2.12 (proxy.go, toxic_collection.go): disabling closes the listener and every live
// connection; enabling listens again on the address bound before; toxics belong to the proxy and
// survive disable/enable; an update restarts the listener only when listen or upstream change.
import { lookup } from "node:dns/promises";
import net from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import {
  apiErrors,
  decodeObject,
  field,
  float32Field,
  isRecord,
  stringField,
  ToxiproxyApiError,
} from "./json.ts";
import { ProxyConnection, type StreamDirection, type ToxicDefinition } from "./link.ts";
import { attributesNotObject, parseToxicAttributes } from "./toxics/attributes.ts";
import type { ToxicAttributes } from "./toxics/kind.ts";
import { toxicKind } from "./toxics/registry.ts";

interface HostPort {
  host: string;
  port: number;
}

/** Splits "host:port" / "[v6]:port" as Go's net.SplitHostPort does; undefined when malformed. */
function splitHostPort(address: string): HostPort | undefined {
  let host: string;
  let portText: string;
  if (address.startsWith("[")) {
    const close = address.indexOf("]");
    if (close < 0 || address[close + 1] !== ":") return undefined;
    host = address.slice(1, close);
    portText = address.slice(close + 2);
  } else {
    const colon = address.lastIndexOf(":");
    if (colon < 0) return undefined;
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
    if (host.includes(":")) return undefined;
  }
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return { host, port };
}

function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go resolves "localhost" to IPv4 loopback; Node may pick ::1 first, which clients would miss. */
function listenHost(host: string): string | undefined {
  if (host === "localhost") return "127.0.0.1";
  return host === "" ? undefined : host;
}

/** The address a listen spec binds to, as Go's net.ResolveTCPAddr prints it (2.12's "Differs"). */
async function resolveListen(listen: string): Promise<string> {
  const address = splitHostPort(listen);
  if (address === undefined) {
    throw new ToxiproxyApiError(`address ${listen}: missing port in address`, 500);
  }
  const host = listenHost(address.host);
  if (host === undefined) return `:${address.port}`;
  if (net.isIP(host) !== 0) return joinHostPort(host, address.port);
  try {
    return joinHostPort((await lookup(host)).address, address.port);
  } catch {
    throw new ToxiproxyApiError(`lookup ${host}: no such host`, 500);
  }
}

/** Listen errors in Go's words ("listen tcp 127.0.0.1:3310: bind: address already in use"). */
function listenError(listen: string, err: NodeJS.ErrnoException): ToxiproxyApiError {
  const address = splitHostPort(listen);
  const shown = address === undefined ? listen : joinHostPort(listenHost(address.host) ?? "", address.port);
  const reasons: Record<string, string> = {
    EADDRINUSE: "bind: address already in use",
    EADDRNOTAVAIL: "bind: cannot assign requested address",
    EACCES: "bind: permission denied",
  };
  const reason = err.code === undefined ? undefined : reasons[err.code];
  if (reason !== undefined) return new ToxiproxyApiError(`listen tcp ${shown}: ${reason}`, 500);
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") {
    return new ToxiproxyApiError(`listen tcp: lookup ${address?.host ?? listen}: no such host`, 500);
  }
  return new ToxiproxyApiError(`listen tcp ${shown}: ${err.message}`, 500);
}

function formatAddress(address: AddressInfo): string {
  return joinHostPort(address.address, address.port);
}

export interface ToxicJson {
  attributes: ToxicAttributes;
  name: string;
  type: string;
  stream: string;
  toxicity: number;
}

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  /** Toxiproxy 2.12 serialises its proxy's zerolog logger, always as `{}`; clients may expect it. */
  Logger: Record<string, never>;
  toxics: ToxicJson[];
}

export interface ProxyUpdate {
  listen?: string;
  upstream?: string;
  enabled?: boolean;
}

function parseDirection(stream: string): StreamDirection | undefined {
  const lower = stream.toLowerCase();
  return lower === "upstream" || lower === "downstream" ? lower : undefined;
}

export class Proxy {
  enabled = false;
  /** Settles when the listener of the last stop() has released its handle (for a clean shutdown). */
  closed: Promise<void> = Promise.resolve();
  private server: Server | undefined;
  private readonly connections = new Set<ProxyConnection>();
  private toxics: ToxicDefinition[] = [];

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
  ) {}

  /** Opens the listener (no-op when enabled); `listen` becomes the address actually bound. */
  async start(): Promise<void> {
    if (this.enabled) return;
    const address = splitHostPort(this.listen);
    if (address === undefined) {
      throw new ToxiproxyApiError(`listen tcp: address ${this.listen}: missing port in address`, 500);
    }
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => reject(listenError(this.listen, err));
      server.once("error", onError);
      server.listen({ host: listenHost(address.host), port: address.port }, () => {
        server.off("error", onError);
        resolve();
      });
    });
    // Accept errors (e.g. too many open files) must not crash the process; the listener stays up.
    server.on("error", () => {});
    server.on("connection", (client: Socket) => this.accept(client));
    this.server = server;
    this.listen = formatAddress(server.address() as AddressInfo);
    this.enabled = true;
  }

  /**
   * Closes the listener (new connections are refused) and every live connection, dropping what
   * their toxics hold, as Toxiproxy 2.12's stop() does. All of it happens before this returns: a
   * region outage cuts several proxies by parallel requests, and a cut that waited for the previous
   * one's sockets to finish closing would let a later link deliver data for tens of milliseconds
   * after an earlier one was cut (e.g. replication WAL after the client link).
   */
  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    // The listening socket is closed at once (libuv closes the fd in uv_close); the callback comes
    // after every accepted socket has gone too.
    this.closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of [...this.connections]) connection.destroy();
  }

  /** Whether a populate entry would replace this proxy (Toxiproxy 2.12's Proxy.Differs). */
  async differs(listen: string, upstream: string): Promise<boolean> {
    return (await resolveListen(listen)) !== this.listen || upstream !== this.upstream;
  }

  /** Partial update as Toxiproxy's: a new listen/upstream restarts the listener, toxics stay. */
  async update(patch: ProxyUpdate): Promise<void> {
    const listen = patch.listen ?? this.listen;
    const upstream = patch.upstream ?? this.upstream;
    const enabled = patch.enabled ?? this.enabled;
    if (await this.differs(listen, upstream)) {
      this.stop();
      this.listen = listen;
      this.upstream = upstream;
    }
    if (enabled) await this.start();
    else this.stop();
  }

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      Logger: {},
      toxics: this.toxicsJson(),
    };
  }

  /** Upstream toxics first, then downstream, each in the order added (as Toxiproxy lists them). */
  toxicsJson(): ToxicJson[] {
    return [...this.toxicsFor("upstream"), ...this.toxicsFor("downstream")].map(toxicJson);
  }

  toxicJson(name: string): ToxicJson {
    return toxicJson(this.findToxic(name));
  }

  /** Toxiproxy's AddToxicJson, checks in its order: body, stream, type, name taken, attributes. */
  addToxic(body: unknown): ToxicJson {
    const input = decodeObject(body, "toxics.ToxicWrapper");
    const name = stringField(input, "name", "ToxicWrapper") ?? "";
    const type = stringField(input, "type", "ToxicWrapper") ?? "";
    const stream = stringField(input, "stream", "ToxicWrapper") ?? "downstream";
    const toxicity = float32Field(input, "toxicity", "ToxicWrapper") ?? 1;
    const attributesPatch = field(input, "attributes");
    // Go first decodes the attributes into a noop toxic: anything but an object (or null) fails.
    if (attributesPatch !== undefined && attributesPatch !== null && !isRecord(attributesPatch)) {
      throw attributesNotObject(attributesPatch, "NoopToxic");
    }
    const direction = parseDirection(stream);
    if (direction === undefined) throw apiErrors.invalidStream();
    const toxicName = name === "" ? `${type}_${stream}` : name;
    const kind = toxicKind(type);
    if (kind === undefined) throw apiErrors.invalidToxicType();
    if (this.toxics.some((t) => t.name === toxicName)) throw apiErrors.toxicExists();
    const attributes = parseToxicAttributes(kind, attributesPatch, undefined);
    const toxic: ToxicDefinition = { name: toxicName, type, stream, direction, kind, toxicity, attributes };
    this.toxics.push(toxic);
    for (const connection of this.connections) connection.addToxic(toxic);
    return toxicJson(toxic);
  }

  /** Merges the given attributes (and toxicity) into the toxic; name, type and stream stay. */
  updateToxic(name: string, body: unknown): ToxicJson {
    const toxic = this.findToxic(name);
    const input = decodeObject(body, "struct { Attributes interface {}; Toxicity float32 }");
    const toxicity = float32Field(input, "toxicity", "Toxicity") ?? toxic.toxicity;
    const attributes = parseToxicAttributes(toxic.kind, field(input, "attributes"), toxic.attributes);
    toxic.toxicity = toxicity;
    toxic.attributes = attributes;
    for (const connection of this.connections) connection.updateToxic(toxic);
    return toxicJson(toxic);
  }

  /** Removes the toxic; what it holds on live connections is passed on, not dropped. */
  removeToxic(name: string): void {
    const toxic = this.findToxic(name);
    this.toxics = this.toxics.filter((t) => t !== toxic);
    for (const connection of [...this.connections]) connection.removeToxic(toxic);
  }

  removeAllToxics(): void {
    for (const toxic of [...this.toxics]) this.removeToxic(toxic.name);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private toxicsFor(direction: StreamDirection): ToxicDefinition[] {
    return this.toxics.filter((t) => t.direction === direction);
  }

  private findToxic(name: string): ToxicDefinition {
    const toxic = this.toxics.find((t) => t.name === name);
    if (toxic === undefined) throw apiErrors.toxicNotFound();
    return toxic;
  }

  private accept(client: Socket): void {
    const target = splitHostPort(this.upstream);
    // As Toxiproxy: when the upstream cannot be dialled, the client connection is closed.
    if (!this.enabled || target === undefined) {
      client.destroy();
      return;
    }
    const connection = new ProxyConnection(
      client,
      (direction) => this.toxicsFor(direction),
      (finished) => this.connections.delete(finished),
    );
    this.connections.add(connection);
    connection.start(target);
  }
}

function toxicJson(toxic: ToxicDefinition): ToxicJson {
  // Field order as Go marshals ToxicWrapper: attributes first.
  return {
    attributes: { ...toxic.attributes },
    name: toxic.name,
    type: toxic.type,
    stream: toxic.stream,
    toxicity: toxic.toxicity,
  };
}
