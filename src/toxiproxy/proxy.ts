// A proxy: a listener, the upstream it forwards to, its toxics and its live connections. Mirrors
// Toxiproxy 2.x semantics: disabling closes the listener and every live connection; enabling listens
// again on the address bound before; toxics belong to the proxy and survive disable/enable.
import net from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { ProxyConnection, type StreamDirection, type ToxicDefinition } from "./link.ts";
import { toxicKind, ToxicAttributeError, type ToxicAttributes } from "./toxics.ts";

/** An error the HTTP API reports as `{"error": message, "status": status}`. */
export class ToxiproxyApiError extends Error {
  override name = "ToxiproxyApiError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

// Messages as Toxiproxy words them, so clients matching on them keep working.
export const apiErrors = {
  badRequestBody: (detail: string) => new ToxiproxyApiError(`bad request body: ${detail}`, 400),
  missingField: (field: string) => new ToxiproxyApiError(`missing required field: ${field}`, 400),
  proxyNotFound: () => new ToxiproxyApiError("proxy not found", 404),
  proxyExists: () => new ToxiproxyApiError("proxy already exists", 409),
  invalidStream: () => new ToxiproxyApiError("stream was invalid, can be either upstream or downstream", 400),
  invalidToxicType: () => new ToxiproxyApiError("invalid toxic type", 400),
  toxicExists: () => new ToxiproxyApiError("toxic already exists", 409),
  toxicNotFound: () => new ToxiproxyApiError("toxic not found", 404),
};

export interface HostPort {
  host: string;
  port: number;
}

/** Splits "host:port" / "[v6]:port" as Go's net.SplitHostPort does; undefined when malformed. */
export function splitHostPort(address: string): HostPort | undefined {
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

function formatAddress(address: AddressInfo): string {
  return address.family === "IPv6"
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}

export interface ToxicJson {
  name: string;
  type: string;
  stream: StreamDirection;
  toxicity: number;
  attributes: ToxicAttributes;
}

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export interface ProxyUpdate {
  listen?: string;
  upstream?: string;
  enabled?: boolean;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseToxicity(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw apiErrors.badRequestBody(`toxicity must be a number between 0 and 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw apiErrors.badRequestBody(`${field} must be a string`);
  return value;
}

export class Proxy {
  enabled = false;
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
      throw new ToxiproxyApiError(`listen tcp ${this.listen}: invalid address (want host:port)`, 500);
    }
    // Go resolves "localhost" to IPv4 loopback; Node may pick ::1 first, which clients would miss.
    const host = address.host === "localhost" ? "127.0.0.1" : address.host === "" ? undefined : address.host;
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new ToxiproxyApiError(`listen tcp ${this.listen}: ${err.message}`, 500));
      };
      server.once("error", onError);
      server.listen({ host, port: address.port }, () => {
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

  /** Closes the listener (new connections are refused) and destroys every live connection. */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of [...this.connections]) connection.destroy();
    await closed;
  }

  /** Partial update as Toxiproxy's: a new listen/upstream restarts the listener. */
  async update(patch: ProxyUpdate): Promise<void> {
    const listen = patch.listen ?? this.listen;
    const upstream = patch.upstream ?? this.upstream;
    const enabled = patch.enabled ?? this.enabled;
    if (listen === "" || splitHostPort(listen) === undefined) {
      throw apiErrors.badRequestBody(`invalid listen address ${JSON.stringify(listen)}`);
    }
    if (upstream === "") throw apiErrors.missingField("upstream");
    if (listen !== this.listen || upstream !== this.upstream) {
      await this.stop();
      this.listen = listen;
      this.upstream = upstream;
    }
    if (enabled) await this.start();
    else await this.stop();
  }

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
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

  addToxic(body: unknown): ToxicJson {
    if (!isRecord(body)) throw apiErrors.badRequestBody("expected a JSON object");
    const streamText = optionalString(body, "stream") ?? "downstream";
    const stream = streamText.toLowerCase();
    if (stream !== "upstream" && stream !== "downstream") throw apiErrors.invalidStream();
    const type = optionalString(body, "type") ?? "";
    const name = optionalString(body, "name") || `${type}_${streamText}`;
    const kind = toxicKind(type);
    if (kind === undefined) throw apiErrors.invalidToxicType();
    if (this.toxics.some((t) => t.name === name)) throw apiErrors.toxicExists();
    const toxicity = parseToxicity(body["toxicity"], 1);
    const attributes = parseAttributes(() => kind.parseAttributes(body["attributes"], undefined));
    const toxic: ToxicDefinition = { name, type, stream, kind, toxicity, attributes };
    this.toxics.push(toxic);
    for (const connection of this.connections) connection.addToxic(toxic);
    return toxicJson(toxic);
  }

  /** Merges the given attributes (and toxicity) into the toxic; stream and type cannot change. */
  updateToxic(name: string, body: unknown): ToxicJson {
    const toxic = this.findToxic(name);
    if (!isRecord(body)) throw apiErrors.badRequestBody("expected a JSON object");
    const toxicity = parseToxicity(body["toxicity"], toxic.toxicity);
    const attributes = parseAttributes(() =>
      toxic.kind.parseAttributes(body["attributes"], toxic.attributes),
    );
    const reroll = toxicity !== toxic.toxicity;
    toxic.toxicity = toxicity;
    toxic.attributes = attributes;
    for (const connection of this.connections) connection.updateToxic(toxic, reroll);
    return toxicJson(toxic);
  }

  /** Removes the toxic; what it holds on live connections is passed on, not dropped. */
  removeToxic(name: string): void {
    const toxic = this.findToxic(name);
    this.toxics = this.toxics.filter((t) => t !== toxic);
    for (const connection of this.connections) connection.removeToxic(toxic);
  }

  removeAllToxics(): void {
    for (const toxic of [...this.toxics]) this.removeToxic(toxic.name);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private toxicsFor(stream: StreamDirection): ToxicDefinition[] {
    return this.toxics.filter((t) => t.stream === stream);
  }

  private findToxic(name: string): ToxicDefinition {
    const toxic = this.toxics.find((t) => t.name === name);
    if (toxic === undefined) throw apiErrors.toxicNotFound();
    return toxic;
  }

  private accept(client: Socket): void {
    const target = splitHostPort(this.upstream);
    if (!this.enabled || target === undefined) {
      client.destroy();
      return;
    }
    const connection = new ProxyConnection(
      client,
      (stream) => this.toxicsFor(stream),
      (finished) => this.connections.delete(finished),
    );
    this.connections.add(connection);
    connection.start(target);
  }
}

function toxicJson(toxic: ToxicDefinition): ToxicJson {
  return {
    name: toxic.name,
    type: toxic.type,
    stream: toxic.stream,
    toxicity: toxic.toxicity,
    attributes: { ...toxic.attributes },
  };
}

function parseAttributes(parse: () => ToxicAttributes): ToxicAttributes {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ToxicAttributeError) throw apiErrors.badRequestBody(err.message);
    throw err;
  }
}
